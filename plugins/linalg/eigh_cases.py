"""lax.linalg.eigh (cyclic Jacobi in an ONNX Loop). Eigenvectors are unique only up to sign, so
cases compare eigenvalues, reconstructions (v diag(w) v^T = A, v^T v = I) and eigenvectors after
each column's sign is fixed (largest-magnitude entry positive), all against JAX."""

import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def signed(v):
    """v with each column's sign fixed: its largest-magnitude entry positive (the same on both sides)."""
    top = jnp.take_along_axis(v, jnp.argmax(jnp.abs(v), axis=-2)[..., None, :], axis=-2)
    return v * jnp.sign(top)


def reconstructions(v, w):
    return (v * w[..., None, :]) @ jnp.swapaxes(v, -1, -2), jnp.swapaxes(v, -1, -2) @ v


def eigh_checks(a):
    w, v = jnp.linalg.eigh(a)
    return (w, signed(v), *reconstructions(v, w))


def lax_eigh_checks(lower, sort):
    def f(a):
        v, w = lax.linalg.eigh(a, lower=lower, symmetrize_input=False, sort_eigenvalues=sort)
        return (w, signed(v), *reconstructions(v, w))

    return f


TOL = {"rtol": 1e-4, "atol": 1e-4, "rtol64": 1e-10, "atol64": 1e-10}

CASES = [
    Case("eigh_4x4", eigh_checks, [(4, 4)], **TOL),
    Case("eigh_5x5_odd", eigh_checks, [(5, 5)], **TOL),
    Case("eigh_1x1", eigh_checks, [(1, 1)], **TOL),
    Case("eigh_2x2", eigh_checks, [(2, 2)], **TOL),
    Case("eigh_12x12", eigh_checks, [(12, 12)], **TOL),
    Case("eigh_batched_symbolic", eigh_checks, [("B", 3, 3)], **TOL),
    Case("eigh_vmapped_2x6x6", eigh_checks, [(2, 6, 6)], **TOL),
    Case("eigvalsh", jnp.linalg.eigvalsh, [(6, 6)], **TOL),
    Case("eigh_reads_upper", lax_eigh_checks(False, True), [(4, 4)], **TOL),
    Case("eigh_reads_lower_unsorted", lax_eigh_checks(True, False), [(5, 5)], **TOL),
]
