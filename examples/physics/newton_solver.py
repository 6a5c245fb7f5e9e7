"""A damped Newton solver for a batch of 2x2 nonlinear systems, with lax.while_loop (iterate
to tolerance: the trip count depends on the data) and lax.cond (take the full step when it
reduces the residual, else halve it in an inner while_loop, up to MAX_HALVINGS times).

    F(x, y) = (x^2 + y^2 - r^2,  exp(x) + y - c)      solved for (x, y) per row

    .venv/bin/python examples/physics/newton_solver.py
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

TOL = 1e-5
MAX_ITERS = 50
MAX_HALVINGS = 8
INPUTS = [("B",), ("B",), ("B",), ("B",)]


def residual(x, y, r, c):
    return x * x + y * y - r * r, jnp.exp(x) + y - c


def newton_step(x, y, r, c):
    """J^-1 F by Cramer's rule on the analytic Jacobian [[2x, 2y], [exp(x), 1]]."""
    f0, f1 = residual(x, y, r, c)
    a, b, e = 2 * x, 2 * y, jnp.exp(x)
    det = a - b * e
    return (f0 - b * f1) / det, (a * f1 - e * f0) / det


def norm(f):
    return jnp.maximum(jnp.max(jnp.abs(f[0])), jnp.max(jnp.abs(f[1])))


def solve(x0, y0, r, c):
    """The solution (x, y), the Newton iterations taken and the final residual norm."""

    def damped(x, y):
        dx, dy = newton_step(x, y, r, c)
        before = norm(residual(x, y, r, c))

        def trial(scale):
            return norm(residual(x - scale * dx, y - scale * dy, r, c))

        def halve(state):
            scale, _ = state
            return scale * 0.5, trial(scale * 0.5)

        def keep_halving(state):
            scale, after = state
            return jnp.logical_and(after >= before, scale > 0.5**MAX_HALVINGS)

        first = (jnp.float32(1.0), trial(jnp.float32(1.0)))
        scale, _ = lax.cond(first[1] < before, lambda s: s, lambda s: lax.while_loop(keep_halving, halve, s), first)
        return x - scale * dx, y - scale * dy

    def not_done(state):
        x, y, it = state
        return jnp.logical_and(norm(residual(x, y, r, c)) > TOL, it < MAX_ITERS)

    def iterate(state):
        x, y, it = state
        return (*damped(x, y), it + 1)

    x, y, iters = lax.while_loop(not_done, iterate, (x0, y0, jnp.int32(0)))
    return x, y, iters, norm(residual(x, y, r, c))


def sample(batch: int = 6, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.uniform(0.2, 1.5, batch).astype(np.float32),
        rng.uniform(-1.0, 1.0, batch).astype(np.float32),
        rng.uniform(1.0, 2.0, batch).astype(np.float32),
        rng.uniform(1.0, 3.0, batch).astype(np.float32),
    ]


if __name__ == "__main__":
    from _run import convert_and_compare

    convert_and_compare(solve, INPUTS, sample(), "newton_solver.onnx")
