"""Cases for plugins/lax/bitcast_convert_type.ts: same-width and width-changing bitcasts between
integers and floats. Bits are exact (tolerance 0); float outputs compare NaN with NaN."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=0.0, atol=0.0)


def _s(dtype, *shape):
    return jax.ShapeDtypeStruct(shape, dtype)


def _no_nan(rng, shape, dtype):
    x = edge_values(rng, shape, dtype)
    return np.where(np.isnan(x), np.asarray(-2.5, dtype), x).astype(dtype)


def _bc(dtype):
    return lambda x: lax.bitcast_convert_type(x, dtype)


CASES = [
    Case("int32_to_uint32", _bc(jnp.uint32), [_s(jnp.int32, "B", 5)], sample=edge_values, expect_ops=["Cast"]),
    Case("uint8_to_int8", _bc(jnp.int8), [_s(jnp.uint8, 3, 5)], sample=edge_values),
    Case("float32_to_int32", _bc(jnp.int32), [("B", 5)], sample=_no_nan),
    Case("int32_to_float32", _bc(jnp.float32), [_s(jnp.int32, "B", 5)], sample=edge_values),
    Case("float32_to_uint8x4", _bc(jnp.uint8), [(3, 5)], sample=_no_nan, expect_ops=["BitShift"]),
    Case("uint8x4_to_float32", _bc(jnp.float32), [_s(jnp.uint8, 3, 4)], sample=edge_values),
    Case("uint32_to_uint16x2", _bc(jnp.uint16), [_s(jnp.uint32, "B", 3)], sample=edge_values),
    Case("int16x2_to_int32", _bc(jnp.int32), [_s(jnp.int16, 5, 2)], sample=edge_values),
    Case("int8x2_to_float16", _bc(jnp.float16), [_s(jnp.int8, 5, 2)]),
    Case("float16_to_int8x2", _bc(jnp.int8), [_s(jnp.float16, 5)], sample=_no_nan),
    Case("float32_to_float16x2", _bc(jnp.float16), [(2, 3)], sample=_no_nan),
    Case("bitcast_rank0", _bc(jnp.uint32), [()], sample=_no_nan),
    Case("bitcast_size0", _bc(jnp.uint8), [(0, 3)]),
    # jax.random.uniform's float construction: (bits >> 9) | 0x3f800000 read as float32, minus 1.
    Case("uniform_mantissa_trick", lambda b: _bc(jnp.float32)(lax.shift_right_logical(b, jnp.uint32(9)) | jnp.uint32(0x3F800000)) - 1.0, [_s(jnp.uint32, "B", 7)], sample=edge_values),
]
