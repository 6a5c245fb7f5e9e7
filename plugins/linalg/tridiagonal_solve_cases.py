"""lax.linalg.tridiagonal_solve (gtsv's partially pivoted elimination in two ONNX Scans), on
random tridiagonal systems that need row swaps, dominant ones that do not, and singular ones
(JAX returns NaN for those)."""

import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def _tridiagonal(dl, d, du, b):
    return lax.linalg.tridiagonal_solve(dl, d, du, b)


def _dominant_solve(dl, d, du, b):
    return lax.linalg.tridiagonal_solve(dl, 4.0 + abs(d), du, b)


def _tiny_first_pivot(dl, d, du, b):
    # d[0] = 1e-6: eliminating without the row swap would multiply row 0 by ~1e6 and lose float32.
    return lax.linalg.tridiagonal_solve(dl, d.at[..., 0].set(1e-6), du, b)


def _singular_solve(dl, d, du, b):
    # Row 1 and column 1 vanish at the diagonal and below: a zero pivot at step 1.
    mask = np.ones(d.shape[-1], np.float32)
    mask[1] = 0
    lower_mask = np.ones(d.shape[-1], np.float32)
    lower_mask[2] = 0
    return lax.linalg.tridiagonal_solve(dl * lower_mask, d * mask, du, b)


TOL = {"rtol": 1e-4, "atol": 1e-4, "rtol64": 1e-10, "atol64": 1e-10}

CASES = [
    Case("tridiagonal_solve_pivoting", _tridiagonal, [(6,), (6,), (6,), (6, 2)], **TOL),
    Case("tridiagonal_solve_dominant", _dominant_solve, [(5,), (5,), (5,), (5, 3)], **TOL),
    Case("tridiagonal_solve_batched_symbolic", _tridiagonal, [("B", 4), ("B", 4), ("B", 4), ("B", 4, 1)], **TOL),
    Case("tridiagonal_solve_tiny_first_pivot", _tiny_first_pivot, [(5,), (5,), (5,), (5, 2)], **TOL),
    Case("tridiagonal_solve_1x1", _tridiagonal, [(1,), (1,), (1,), (1, 2)], **TOL),
    Case("tridiagonal_solve_2x2", _tridiagonal, [(2,), (2,), (2,), (2, 1)], **TOL),
    Case("tridiagonal_solve_singular_nan", _singular_solve, [(2, 4), (2, 4), (2, 4), (2, 4, 2)], **TOL),
]
