"""lax.linalg.lu: LU with partial pivoting; pivots and permutation exactly as JAX returns them."""

import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

CASES = [
    Case("lu_4x4", lax.linalg.lu, [(4, 4)], rtol=1e-4, atol=1e-5),
    Case("lu_batched", lax.linalg.lu, [(2, 3, 3)], rtol=1e-4, atol=1e-5),
    Case("lu_tall", lax.linalg.lu, [(5, 3)], rtol=1e-4, atol=1e-5),
    Case("lu_wide", lax.linalg.lu, [(3, 5)], rtol=1e-4, atol=1e-5),
    Case("lu_1x1", lax.linalg.lu, [(1, 1)]),
    Case("jnp_linalg_det", jnp.linalg.det, [(3, 3)], rtol=1e-4, atol=1e-5),
]
