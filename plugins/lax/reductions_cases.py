"""Cases for plugins/lax/reductions.ts."""

import jax
import jax.numpy as jnp

from jax import lax

from jax2onnx_lab.testing import Case, edge_values


def _i32(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.int32)


def _bool(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.bool_)


def _ties(rng, shape, dtype):
    """Floats from a handful of values, so maxima and minima repeat along every axis."""
    return rng.integers(-2, 3, size=shape).astype(dtype) / 2


CASES = [
    Case("sum_one_axis", lambda x: jnp.sum(x, axis=1), [("B", 3, 4)], expect_ops=["ReduceSum"]),
    Case("sum_several_axes", lambda x: jnp.sum(x, axis=(0, 2)), [("B", 3, 4)]),
    Case("sum_all_axes", jnp.sum, [("B", 3, 4)]),
    Case("sum_keepdims", lambda x: jnp.sum(x, axis=-1, keepdims=True), [("B", 5)]),
    Case("sum_int32", lambda x: jnp.sum(x, axis=(1, 2)), [_i32(2, 3, 4)]),
    Case("max_several_axes", lambda x: jnp.max(x, axis=(1, 2)), [("B", 3, 4)], expect_ops=["ReduceMax"]),
    Case("max_all_axes", jnp.max, [("B", 3, 4)]),
    Case("max_int32", lambda x: jnp.max(x, axis=0), [_i32(3, 4)]),
    Case("min_several_axes", lambda x: jnp.min(x, axis=(0, 1)), [("B", 3, 4)], expect_ops=["ReduceMin"]),
    Case("min_all_axes_int32", jnp.min, [_i32(3, 4)]),
    Case("prod_several_axes", lambda x: jnp.prod(x, axis=(0, 2)), [("B", 3, 4)], expect_ops=["ReduceProd"]),
    Case("prod_all_axes", jnp.prod, [(2, 3)]),
    Case("prod_int32", lambda x: jnp.prod(x, axis=1), [_i32(3, 4)]),
    # Boolean all/any reduce over uint8 (ONNX reductions take no bool).
    Case("all_one_axis", lambda x: jnp.all(x, axis=1), [_bool(4, 3)], expect_ops=["ReduceMin"]),
    Case("all_all_axes", jnp.all, [_bool(2, 2)]),
    Case("any_several_axes", lambda x: jnp.any(x, axis=(0, 2)), [_bool(3, 2, 4)], expect_ops=["ReduceMax"]),
    Case("any_all_axes", jnp.any, [_bool(2, 3)]),
    Case("max_bool", lambda x: jnp.max(x, axis=0), [_bool(3, 4)]),
    Case("min_bool", lambda x: jnp.min(x, axis=1), [_bool(3, 4)]),
    Case("max_bool_opset18", lambda x: jnp.max(x, axis=0), [_bool(3, 4)], opset=18),
    Case("any_opset17_axes_attribute", lambda x: jnp.any(x, axis=1), [_bool(3, 4)], opset=17),
    Case("sum_opset12_axes_attribute", lambda x: jnp.sum(x, axis=(0, 2)), [("B", 3, 4)], opset=12),
    Case("all_of_comparison", lambda x: jnp.all(x > 0, axis=-1), [("B", 3)]),
    # argmax/argmin: int32 indices (JAX's default without x64); ties pick the first index.
    Case("argmax", lambda x: jnp.argmax(x, axis=1), [("B", 5)], expect_ops=["ArgMax", "Cast"]),
    Case("argmin", lambda x: jnp.argmin(x, axis=0), [(6, "B")], expect_ops=["ArgMin"]),
    Case("argmax_ties", lambda x: jnp.argmax(x, axis=-1), [(4, 3, 6)], sample=_ties),
    Case("argmin_ties", lambda x: jnp.argmin(x, axis=1), [(4, 6, 3)], sample=_ties),
    Case("argmax_int32_ties", lambda x: jnp.argmax(x, axis=1), [_i32(5, 8)]),
    Case("argmax_bool", lambda x: jnp.argmax(x, axis=1), [_bool(4, 6)]),
    Case("argmin_int32_ties", lambda x: jnp.argmin(x, axis=0), [_i32(8, 5)]),
    # NaN: XLA's max/min reductions and argmax/argmin propagate it (ONNX's skip it).
    Case("max_nan", lambda x: jnp.max(x, axis=1), [(6, 8)], sample=edge_values),
    Case("min_nan_all_axes", jnp.min, [(6, 8)], sample=edge_values),
    Case("argmax_nan", lambda x: jnp.argmax(x, axis=1), [(6, 8)], sample=edge_values, expect_ops=["IsNaN"]),
    Case("argmin_nan", lambda x: jnp.argmin(x, axis=0), [(8, 6)], sample=edge_values),
    Case("argmax_float16", lambda x: jnp.argmax(x, axis=1), [jax.ShapeDtypeStruct((4, 6), jnp.float16)]),
    Case("sum_float16", lambda x: jnp.sum(x, axis=1), [jax.ShapeDtypeStruct((4, 6), jnp.float16)], rtol=2e-3, atol=2e-3),
    Case("sum_rank0", lambda x: lax.reduce_sum_p.bind(x, axes=(), out_sharding=None), [()]),
    Case("sum_size0", lambda x: jnp.sum(x, axis=0), [(0, 3)]),
    Case("max_size0_kept_axis", lambda x: jnp.max(x, axis=1), [(0, 3)]),
    # reduce_xor (bool parity, integer bit planes) and bitwise reduce_and/or of integers.
    Case("xor_bool", lambda x: lax.reduce_xor(x, (1,)), [_bool(4, 7)], rtol=0.0, atol=0.0),
    Case("xor_int32", lambda x: lax.reduce_xor(x, (0,)), [_i32(5, 4)], sample=edge_values, rtol=0.0, atol=0.0),
    Case("xor_uint8_two_axes", lambda x: lax.reduce_xor(x, (0, 2)), [jax.ShapeDtypeStruct((3, 4, 5), jnp.uint8)], sample=edge_values, rtol=0.0, atol=0.0),
    Case("and_int32", lambda x: jnp.bitwise_and.reduce(x, axis=0), [_i32(5, 4)], sample=edge_values, rtol=0.0, atol=0.0),
    Case("or_uint32", lambda x: jnp.bitwise_or.reduce(x, axis=1), [jax.ShapeDtypeStruct((4, 5), jnp.uint32)], sample=edge_values, rtol=0.0, atol=0.0),
    Case("xor_symbolic", lambda x: lax.reduce_xor(x, (1,)), [jax.ShapeDtypeStruct(("B", 5), jnp.int32)], rtol=0.0, atol=0.0),
]
