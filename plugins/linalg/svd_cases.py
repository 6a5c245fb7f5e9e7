"""lax.linalg.svd (one-sided Jacobi in an ONNX Loop, u from a Householder QR). Singular vectors
are unique only up to a common sign per pair (u_j, v_j), so cases compare s, u diag(s) vh = a,
u^T u = I, v v^T = I and u, vh after fixing each pair's sign (u_j's largest-magnitude entry
positive, the same on both sides). The completing columns of a full u (m > n) are any orthonormal
basis, in LAPACK as here: only their orthogonality is compared."""

import jax.numpy as jnp
import numpy as np

from jax2onnx_lab.testing import Case


def signed_pairs(u, vh, k):
    top = jnp.take_along_axis(u[..., :, :k], jnp.argmax(jnp.abs(u[..., :, :k]), axis=-2)[..., None, :], axis=-2)
    sign = jnp.sign(top)
    return u[..., :, :k] * sign, vh[..., :k, :] * jnp.swapaxes(sign, -1, -2)


def svd_checks(full_matrices):
    def f(a):
        u, s, vh = jnp.linalg.svd(a, full_matrices=full_matrices)
        k = min(a.shape[-2:])
        ut = jnp.swapaxes(u, -1, -2)
        rebuilt = (u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :]
        return (s, *signed_pairs(u, vh, k), rebuilt, ut @ u, vh @ jnp.swapaxes(vh, -1, -2))

    return f


def rank_deficient(rng, shape, dtype):
    """Column 1 = 2 x column 0: singular value 0 (its vectors: any orthonormal completion)."""
    x = rng.standard_normal(shape)
    x[..., :, 1] = 2 * x[..., :, 0]
    return x.astype(dtype)


def checks_without_zero_pair(a):
    # The pair of the zero singular value is not unique: only s, the reconstruction, orthogonality.
    u, s, vh = jnp.linalg.svd(a)
    return s, (u * s[..., None, :]) @ vh, jnp.swapaxes(u, -1, -2) @ u, vh @ jnp.swapaxes(vh, -1, -2)


TOL = {"rtol": 1e-4, "atol": 1e-4, "rtol64": 1e-10, "atol64": 1e-10}

CASES = [
    Case("svd_4x4", svd_checks(True), [(4, 4)], **TOL),
    Case("svd_tall_full", svd_checks(True), [(6, 3)], **TOL),
    Case("svd_tall_reduced", svd_checks(False), [(6, 3)], **TOL),
    Case("svd_wide_full", svd_checks(True), [(3, 5)], **TOL),
    Case("svd_wide_reduced", svd_checks(False), [(2, 5)], **TOL),
    Case("svd_1x1", svd_checks(True), [(1, 1)], **TOL),
    Case("svd_row", svd_checks(True), [(1, 4)], **TOL),
    Case("svd_batched_symbolic", svd_checks(False), [("B", 5, 4)], **TOL),
    Case("svd_12x12", svd_checks(False), [(12, 12)], **TOL),
    Case("svd_values_only", lambda a: jnp.linalg.svd(a, compute_uv=False), [(2, 5, 3)], **TOL),
    Case("svd_rank_deficient", checks_without_zero_pair, [(4, 4)], sample=rank_deficient, **TOL),
    Case("linalg_norm_2", lambda a: jnp.linalg.norm(a, ord=2), [(5, 4)], **TOL),
    Case("linalg_norm_nuc", lambda a: jnp.linalg.norm(a, ord="nuc"), [(3, 4)], **TOL),
    Case("linalg_cond", jnp.linalg.cond, [(4, 4)], rtol=1e-3, atol=1e-4, rtol64=1e-9, atol64=1e-10),
    Case("linalg_pinv", jnp.linalg.pinv, [(5, 3)], rtol=1e-3, atol=1e-4, rtol64=1e-9, atol64=1e-10),
    Case("linalg_matrix_rank", jnp.linalg.matrix_rank, [(4, 4)], sample=rank_deficient),
]
