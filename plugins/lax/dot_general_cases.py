"""Cases for plugins/lax/dot_general.ts; names point at the numbered cases of its docstring."""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def _dot(contract, batch=((), ()), **kw):
    """lax.dot_general with dimension_numbers (contract, batch), each a (lhs dims, rhs dims) pair."""
    return lambda x, y: lax.dot_general(x, y, (contract, batch), **kw)


_W = np.random.default_rng(7).standard_normal((4, 6)).astype(np.float32)

CASES = [
    # Case 1: x @ W, x of any rank, W rank 2.
    Case("matmul_x_w", jnp.matmul, [("B", 4), (4, 5)], expect_ops=["MatMul"]),
    Case("matmul_rank3_x_w", jnp.matmul, [("B", 3, 4), (4, 5)], expect_ops=["MatMul"]),
    Case("matmul_x_weight_constant", lambda x: x @ _W, [("B", 4)], expect_ops=["MatMul"]),
    Case("matmul_int32", jnp.matmul, [jax.ShapeDtypeStruct((3, 4), jnp.int32), jax.ShapeDtypeStruct((4, 5), jnp.int32)], expect_ops=["MatMul"]),
    # Case 2: x @ W.T, contracting W's last dim.
    Case("matmul_x_wt", _dot(((1,), (1,))), [("B", 4), (5, 4)], expect_ops=["MatMul", "Transpose"]),
    Case("matmul_x_weight_constant_t", lambda x: lax.dot_general(x, _W, (((1,), (1,)), ((), ()))), [("B", 6)], expect_ops=["MatMul"]),
    # Case 3: batched matmul with leading batch dims in order.
    Case("batched_matmul", jnp.matmul, [("B", 3, 4), ("B", 4, 5)], expect_ops=["MatMul"]),
    Case("batched_matmul_two_batch_dims", jnp.matmul, [(2, "B", 3, 4), (2, "B", 4, 5)], expect_ops=["MatMul"]),
    # Case 4: the general contraction, as Einsum.
    Case(
        "einsum_batch_not_leading",
        _dot(((2,), (0,)), ((1,), (1,))),  # ibj,jbk->bik
        [(3, "B", 4), (4, "B", 5)],
        expect_ops=["Einsum"],
    ),
    Case("einsum_two_contracting_dims", _dot(((2, 3), (0, 1))), [("B", 3, 4, 2), (4, 2, 5)], expect_ops=["Einsum"]),
    Case("einsum_attention_scores", lambda q, k: jnp.einsum("bqhd,bkhd->bhqk", q, k), [("B", 5, 2, 4), ("B", 6, 2, 4)]),
    Case("einsum_outer_product", _dot(((), ())), [("B",), (5,)], expect_ops=["Einsum"]),
    Case("einsum_vector_dot", jnp.dot, [(6,), (6,)], expect_ops=["Einsum"]),
    # Case 4: matrix-vector, the vector contracted with the matrix's last dim (Equinox's Linear).
    Case("matmul_matrix_vector", jnp.matmul, [("B", 6), (6,)], expect_ops=["MatMul", "Transpose"]),
    Case("matmul_weight_vector", lambda x: _W @ x, [(6,)], expect_ops=["MatMul"]),
    Case("matmul_matrix_vector_int32", jnp.matmul, [jax.ShapeDtypeStruct((3, 4), jnp.int32), jax.ShapeDtypeStruct((4,), jnp.int32)], expect_ops=["MatMul"]),
    # Not case 4: the vector contracted with the matrix's first dim, a stack of matrices.
    Case("einsum_rank3_vector", jnp.matmul, [(2, "B", 6), (6,)], expect_ops=["Einsum"]),
    Case("einsum_matrix_t_vector", _dot(((0,), (0,))), [(6, "B"), (6,)], expect_ops=["Einsum"]),
    # preferred_element_type: operands are cast to the result dtype first.
    Case(
        "preferred_int8_to_int32",
        _dot(((1,), (0,)), preferred_element_type=jnp.int32),
        [jax.ShapeDtypeStruct((3, 4), jnp.int8), jax.ShapeDtypeStruct((4, 5), jnp.int8)],
        expect_ops=["Cast", "MatMul"],
    ),
    Case(
        "preferred_float16_to_float32",
        _dot(((1,), (0,)), preferred_element_type=jnp.float32),
        [jax.ShapeDtypeStruct((3, 4), jnp.float16), jax.ShapeDtypeStruct((4, 5), jnp.float16)],
        expect_ops=["Cast", "MatMul"],
    ),
    Case(
        "preferred_int8_to_int32_einsum",
        _dot(((2,), (0,)), ((1,), (1,)), preferred_element_type=jnp.int32),
        [jax.ShapeDtypeStruct((3, 2, 4), jnp.int8), jax.ShapeDtypeStruct((4, 2, 5), jnp.int8)],
        expect_ops=["Cast", "Einsum"],
    ),
]
