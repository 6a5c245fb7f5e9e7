"""lax.linalg.qr (Householder in an ONNX Loop, LAPACK's sign conventions): q and r compared with
JAX's directly, plus q r = a and q^T q = I."""

import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def qr_checks(mode):
    def f(a):
        q, r = jnp.linalg.qr(a, mode=mode)
        return q, r, q @ r, jnp.swapaxes(q, -1, -2) @ q

    return f


TOL = {"rtol": 1e-4, "atol": 1e-5, "rtol64": 1e-10, "atol64": 1e-12}

CASES = [
    Case("qr_4x4", qr_checks("reduced"), [(4, 4)], **TOL),
    Case("qr_tall_reduced", qr_checks("reduced"), [(6, 3)], **TOL),
    Case("qr_tall_complete", qr_checks("complete"), [(6, 3)], **TOL),
    Case("qr_wide", qr_checks("reduced"), [(3, 5)], **TOL),
    Case("qr_wide_complete", qr_checks("complete"), [(3, 5)], **TOL),
    Case("qr_mode_r", lambda a: jnp.linalg.qr(a, mode="r"), [(5, 4)], **TOL),
    Case("qr_1x1", qr_checks("reduced"), [(1, 1)], **TOL),
    Case("qr_column", qr_checks("complete"), [(4, 1)], **TOL),
    Case("qr_batched_symbolic", qr_checks("reduced"), [("B", 4, 3)], **TOL),
    Case("qr_primitive_full_matrices", lambda a: lax.linalg.qr(a, full_matrices=True), [(2, 5, 4)], **TOL),
    Case("qr_16x16", qr_checks("reduced"), [(16, 16)], rtol=1e-3, atol=1e-4, rtol64=1e-9, atol64=1e-11),
]
