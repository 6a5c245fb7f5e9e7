"""lax.custom_linear_solve: its solve jaxpr inlined (jnp.linalg.solve and a hand-written one)."""

import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def _diagonal_solve(d, b):
    # matvec is d * x; solve divides: a custom_linear_solve with one const per jaxpr.
    return lax.custom_linear_solve(lambda x: d * x, b, solve=lambda _mv, y: y / d, transpose_solve=lambda _mv, y: y / d)


def _invertible(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if len(shape) >= 2 and shape[-1] == shape[-2]:
        x = x + 3 * np.eye(shape[-1])
    return np.asarray(np.abs(x) + 0.5 if len(shape) == 1 else x, dtype)


CASES = [
    Case("custom_linear_solve_diagonal", _diagonal_solve, [(5,), (5,)], sample=_invertible),
    Case("linalg_solve", jnp.linalg.solve, [(3, 3), (3, 2)], sample=_invertible, rtol=1e-4, atol=1e-5),
    Case("linalg_solve_vector", jnp.linalg.solve, [(4, 4), (4,)], sample=_invertible, rtol=1e-4, atol=1e-5),
]

CASES += [
    Case("linalg_inv", jnp.linalg.inv, [(4, 4)], sample=_invertible, rtol=1e-4, atol=1e-5),
    Case("linalg_inv_batched_symbolic", jnp.linalg.inv, [("B", 3, 3)], sample=_invertible, rtol=1e-4, atol=1e-5),
    Case("linalg_matrix_power_3", lambda a: jnp.linalg.matrix_power(a, 3), [(3, 3)], rtol=1e-4, atol=1e-5),
    Case("linalg_matrix_power_minus_2", lambda a: jnp.linalg.matrix_power(a, -2), [(3, 3)], sample=_invertible, rtol=1e-4, atol=1e-5),
]
