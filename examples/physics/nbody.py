"""N-body gravity: velocity Verlet integrated with lax.scan for 100 steps; the whole trajectory
is the output. The ONNX model is one Scan whose body is one step, whatever the step count.

    .venv/bin/python examples/physics/nbody.py
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

STEPS = 100
DT = 0.01
# Plummer softening: keeps close encounters finite, so float32 runs agree over the trajectory.
SOFTENING = 0.1
INPUTS = [("N", 3), ("N", 3), ("N",)]


def accelerations(pos: jax.Array, mass: jax.Array) -> jax.Array:
    diff = pos[None, :, :] - pos[:, None, :]  # r_j - r_i, [N, N, 3]
    dist2 = jnp.sum(diff * diff, axis=-1) + SOFTENING**2
    inv3 = dist2 ** -1.5
    return jnp.einsum("ij,ijk->ik", mass[None, :] * inv3, diff)


def simulate(pos: jax.Array, vel: jax.Array, mass: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Positions and velocities after each of STEPS steps: [STEPS, N, 3] each."""

    def step(state, _):
        x, v, a = state
        v_half = v + 0.5 * DT * a
        x = x + DT * v_half
        a = accelerations(x, mass)
        v = v_half + 0.5 * DT * a
        return (x, v, a), (x, v)

    _, (xs, vs) = lax.scan(step, (pos, vel, accelerations(pos, mass)), None, length=STEPS)
    return xs, vs


def sample(n: int = 8, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, (n, 3)).astype(np.float32)
    vel = rng.normal(0.0, 0.3, (n, 3)).astype(np.float32)
    mass = rng.uniform(0.5, 1.5, (n,)).astype(np.float32)
    return [pos, vel, mass]


if __name__ == "__main__":
    from _run import convert_and_compare

    convert_and_compare(simulate, INPUTS, sample(), "nbody.onnx")
