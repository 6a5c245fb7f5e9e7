"""Cases for plugins/lax/convert_element_type.ts: XLA's saturating float -> int (NaN -> 0),
float <-> bool, float16/bfloat16 and integer wrap-around. Integer and bool results are exact;
float results of an exact conversion are exact too (tolerance 0)."""

import functools

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values, without_subnormals

Case = functools.partial(testing.Case, rtol=0.0, atol=0.0)
I32 = jnp.int32


def _s(dtype, *shape):
    return jax.ShapeDtypeStruct(shape, dtype)


def _to(dtype):
    return lambda x: lax.convert_element_type(x, dtype)


INTS = [jnp.int32, jnp.uint32, jnp.int8, jnp.uint8, jnp.int16, jnp.uint16]

CASES = [
    Case("convert_float_to_int32", lambda x: lax.convert_element_type(x * 4.0, I32), [("B", 5)], expect_ops=["Cast"]),
    Case("convert_int32_to_float", _to(jnp.float32), [_s(I32, 3, 5)]),
    Case("convert_float_to_bool", lambda x: lax.convert_element_type(jnp.floor(x), jnp.bool_), [("B", 5)]),
    Case("convert_int32_to_bool", _to(jnp.bool_), [_s(I32, 3, 5)]),
    Case("convert_bool_to_float", _to(jnp.float32), [_s(jnp.bool_, 3, 5)]),
    Case("convert_bool_to_int32", _to(I32), [_s(jnp.bool_, 3, 5)]),
    Case("convert_same_dtype", lambda x: lax.convert_element_type(x, jnp.float32) + 1.0, [("B", 5)]),
    # Saturation: NaN -> 0, +-inf and out-of-range values -> max/min, truncation toward zero.
    *[Case(f"convert_float32_edges_to_{jnp.dtype(d).name}", _to(d), [(6, 8)], sample=edge_values) for d in INTS],
    *[Case(f"convert_float16_edges_to_{jnp.dtype(d).name}", _to(d), [_s(jnp.float16, 6, 8)], sample=edge_values) for d in (jnp.int32, jnp.uint8, jnp.int16, jnp.uint16)],
    # XLA on CPU reads subnormals as 0 (1e-45 -> False); onnxruntime does not: left out.
    Case("convert_float32_edges_to_bool", _to(jnp.bool_), [(6, 8)], sample=without_subnormals(edge_values)),
    Case("convert_float32_to_float16", _to(jnp.float16), [(6, 8)], sample=edge_values),
    Case("convert_float16_to_float32", _to(jnp.float32), [_s(jnp.float16, 6, 8)], sample=edge_values),
    Case("convert_bool_to_float16", _to(jnp.float16), [_s(jnp.bool_, 3, 5)]),
    Case("convert_int32_edges_to_float32", _to(jnp.float32), [_s(I32, 6, 8)], sample=edge_values),
    # Integer to integer wraps (two's complement), as XLA does.
    Case("convert_int32_edges_to_int8", _to(jnp.int8), [_s(I32, 6, 8)], sample=edge_values),
    Case("convert_int32_edges_to_uint32", _to(jnp.uint32), [_s(I32, 6, 8)], sample=edge_values),
    Case("convert_uint32_edges_to_int32", _to(I32), [_s(jnp.uint32, 6, 8)], sample=edge_values),
    Case("convert_rank0", _to(I32), [()], sample=edge_values),
    Case("convert_size0", _to(jnp.uint8), [(0, 4)]),
]
