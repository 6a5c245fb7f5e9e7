"""lax.linalg.lu: LU with partial pivoting; pivots and permutation exactly as JAX returns them.
Singular matrices (a zero column: its pivot is 0, and LAPACK skips the scaling) included."""

import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def zero_column(rng, shape, dtype):
    """Column 1 is zero: it stays zero through the elimination, so step 1 meets a zero pivot."""
    x = rng.standard_normal(shape)
    x[..., :, 1] = 0
    return x.astype(dtype)


CASES = [
    Case("lu_4x4", lax.linalg.lu, [(4, 4)], rtol=1e-4, atol=1e-5),
    Case("lu_batched", lax.linalg.lu, [(2, 3, 3)], rtol=1e-4, atol=1e-5),
    Case("lu_tall", lax.linalg.lu, [(5, 3)], rtol=1e-4, atol=1e-5),
    Case("lu_wide", lax.linalg.lu, [(3, 5)], rtol=1e-4, atol=1e-5),
    Case("lu_1x1", lax.linalg.lu, [(1, 1)]),
    Case("lu_singular_zero_pivot", lax.linalg.lu, [(4, 4)], sample=zero_column, rtol=1e-4, atol=1e-5),
    Case("lu_singular_batched_symbolic", lax.linalg.lu, [("B", 3, 3)], sample=zero_column, rtol=1e-4, atol=1e-5),
    Case("jnp_linalg_det", jnp.linalg.det, [(3, 3)], rtol=1e-4, atol=1e-5),
    Case("jnp_linalg_det_singular", jnp.linalg.det, [(4, 4)], sample=zero_column, rtol=1e-4, atol=1e-5),
    Case("jnp_linalg_slogdet", lambda a: tuple(jnp.linalg.slogdet(a)), [(2, 4, 4)], rtol=1e-4, atol=1e-5),
]
