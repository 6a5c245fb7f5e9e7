"""Complex dot_general: four real contractions of the parts (MatMul, batched MatMul, Einsum)."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def _c64(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.complex64)


CASES = [
    Case("matmul", lambda a, b: a @ b, [_c64("B", 4), _c64(4, 3)], expect_ops=["MatMul"]),
    Case("matmul_transposed_rhs", lambda a, b: a @ b.T, [_c64(2, 4), _c64(3, 4)]),
    Case("batched", lambda a, b: jnp.einsum("bij,bjk->bik", a, b), [_c64("B", 2, 3), _c64("B", 3, 4)], expect_ops=["MatMul"]),
    Case("einsum_general", lambda a, b: jnp.einsum("ijk,kj->i", a, b), [_c64(2, 3, 4), _c64(4, 3)], expect_ops=["Einsum"]),
    Case("vdot", lambda a, b: jnp.vdot(a, b), [_c64(5), _c64(5)]),
    Case("complex_times_real_weight", lambda z, w: lax.dot_general(z, w.astype(z.dtype), (((1,), (0,)), ((), ()))), [_c64(2, 3), (3, 2)]),
]

# A real operand with a complex one (jnp.einsum and lax.dot_general keep them apart: no promotion).
CASES += [
    Case("dot_real_times_complex", lambda x, z: jnp.einsum("ij,jk->ik", x, z), [("B", 3), jax.ShapeDtypeStruct((3, 4), jnp.complex64)]),
    Case("dot_complex_times_real_batched", lambda z, x: jnp.einsum("bij,bjk->bik", z, x), [jax.ShapeDtypeStruct((2, 3, 4), jnp.complex64), (2, 4, 5)]),
]
