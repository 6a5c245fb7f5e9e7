"""lax.linalg.cholesky on small static symmetric positive definite matrices (unrolled)."""

import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def spd(rng, shape, dtype):
    """Symmetric positive definite: A A^T + n I, batched over leading dims."""
    a = rng.standard_normal(shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


CASES = [
    Case("cholesky_3x3", jnp.linalg.cholesky, [(3, 3)], sample=spd),
    Case("cholesky_batched_symbolic", jnp.linalg.cholesky, [("B", 4, 4)], sample=spd),
    Case("cholesky_primitive_1x1", lambda a: lax.linalg.cholesky(a, symmetrize_input=False), [(1, 1)], sample=spd),
    Case("cholesky_6x6", jnp.linalg.cholesky, [(6, 6)], sample=spd, rtol=1e-4, atol=1e-5),
]
