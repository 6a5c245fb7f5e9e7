"""2-D heat equation, explicit finite differences: a 5-point Laplacian stencil (a convolution)
stepped with lax.fori_loop, FRAMES frames of STEPS_PER_FRAME steps recorded with lax.scan.
Zero (Dirichlet) boundary: the convolution pads with zeros.

    .venv/bin/python examples/physics/heat_equation.py
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

FRAMES = 10
STEPS_PER_FRAME = 20
# alpha * dt / dx^2 <= 1/4 keeps the explicit scheme stable.
ALPHA = 0.2
INPUTS = [("H", "W")]
STENCIL = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)


def laplacian(u: jax.Array) -> jax.Array:
    out = lax.conv_general_dilated(u[None, None], jnp.asarray(STENCIL)[None, None], (1, 1), "SAME")
    return out.reshape(u.shape)


def simulate(u0: jax.Array) -> jax.Array:
    """The temperature field after each frame: [FRAMES, H, W]."""

    def frame(u, _):
        u = lax.fori_loop(0, STEPS_PER_FRAME, lambda _, v: v + ALPHA * laplacian(v), u)
        return u, u

    return lax.scan(frame, u0, None, length=FRAMES)[1]


def sample(h: int = 24, w: int = 32) -> list[np.ndarray]:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    hot = np.exp(-(((x - w / 3) / 3) ** 2 + ((y - h / 2) / 3) ** 2)) + 0.5 * np.exp(-(((x - 2 * w / 3) / 2) ** 2 + ((y - h / 3) / 2) ** 2))
    return [hot.astype(np.float32)]


if __name__ == "__main__":
    from _run import convert_and_compare

    convert_and_compare(simulate, INPUTS, sample(), "heat_equation.onnx")
