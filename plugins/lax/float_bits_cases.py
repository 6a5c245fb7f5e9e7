"""Cases for plugins/lax/float_bits.ts (the bit patterns behind bitcast_convert_type, the
total-order comparisons and nextafter): float -> bits -> float round trips, below opset 26
(exact arithmetic) and from 26 (BitCast). Bits are exact (tolerance 0)."""

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
    """edge_values without NaN: below opset 26 NaN payloads are not observable (float_bits.ts)."""
    x = edge_values(rng, shape, dtype)
    return np.where(np.isnan(x), np.asarray(1.5, dtype), x).astype(dtype)


def _bits_ladder(rng, shape, dtype):
    """uint32 patterns over every exponent (subnormals, normals, inf, NaN) and random mantissas."""
    exponent = rng.integers(0, 256, size=shape).astype(np.uint32)
    mantissa = rng.integers(0, 2**23, size=shape).astype(np.uint32)
    sign = rng.integers(0, 2, size=shape).astype(np.uint32)
    bits = (sign << 31) | (exponent << 23) | mantissa
    nan = exponent == 255
    return np.where(nan & (mantissa != 0), np.uint32(0x7FC00000), bits).astype(np.uint32)


_bits_ladder = testing.all_dtypes(_bits_ladder)

CASES = [
    Case("float32_to_bits", lambda x: lax.bitcast_convert_type(x, jnp.uint32), [(8, 16)], sample=_no_nan),
    Case("float32_to_bits_int32", lambda x: lax.bitcast_convert_type(x, jnp.int32), [("B", 16)], sample=_no_nan),
    Case("bits_to_float32", lambda b: lax.bitcast_convert_type(b, jnp.float32), [_s(jnp.uint32, 8, 16)], sample=_bits_ladder),
    Case("float32_roundtrip_nan", lambda x: lax.bitcast_convert_type(lax.bitcast_convert_type(x, jnp.int32), jnp.float32), [(6, 8)], sample=edge_values),
    Case("float16_to_bits", lambda x: lax.bitcast_convert_type(x, jnp.uint16), [_s(jnp.float16, 6, 8)], sample=_no_nan),
    Case("bits_to_float16", lambda b: lax.bitcast_convert_type(b, jnp.float16), [_s(jnp.uint16, 6, 8)]),
    Case("float16_every_pattern", lambda b: lax.bitcast_convert_type(lax.bitcast_convert_type(b, jnp.float16) * jnp.float16(1), jnp.uint16), [_s(jnp.uint16, 256, 256)], sample=testing.all_dtypes(lambda rng, shape, dtype: np.where((np.arange(65536).reshape(shape) & 0x7C00) == 0x7C00, 0x3C00, np.arange(65536).reshape(shape)).astype(np.uint16))),
    # From opset 26: ONNX BitCast, NaN payloads included.
    Case("float32_to_bits_opset26", lambda x: lax.bitcast_convert_type(x, jnp.uint32), [(6, 8)], sample=edge_values, opset=26, expect_ops=["BitCast"]),
    Case("bits_to_float32_opset26", lambda b: lax.bitcast_convert_type(b, jnp.float32), [_s(jnp.uint32, 6, 8)], sample=_bits_ladder, opset=26, expect_ops=["BitCast"]),
]
