"""Cases for plugins/lax/kernel_dtypes.ts: one JAX program per (op, dtype) that onnxruntime or
onnxruntime-web has no kernel for, so the wider computation is exercised in both. Exact."""

import functools

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=0.0, atol=0.0, sample=edge_values)


def _s(dtype, *shape):
    return jax.ShapeDtypeStruct(shape, dtype)


SMALL_AND_UNSIGNED = [jnp.uint8, jnp.int8, jnp.uint16, jnp.int16, jnp.uint32]

CASES = [
    *[Case(f"reduce_sum_{jnp.dtype(d).name}", lambda x: jnp.sum(x, axis=1, dtype=x.dtype), [_s(d, 3, 5)]) for d in SMALL_AND_UNSIGNED],
    *[Case(f"reduce_prod_{jnp.dtype(d).name}", lambda x: jnp.prod(x, axis=0, dtype=x.dtype), [_s(d, 4, 5)]) for d in SMALL_AND_UNSIGNED],
    *[Case(f"cumsum_{jnp.dtype(d).name}", lambda x: jnp.cumsum(x, axis=1, dtype=x.dtype), [_s(d, 3, 5)]) for d in SMALL_AND_UNSIGNED],
    *[Case(f"reduce_max_{jnp.dtype(d).name}", lambda x: jnp.max(x, axis=1), [_s(d, 3, 5)]) for d in (jnp.uint16, jnp.int16, jnp.uint32)],
    *[Case(f"reduce_min_{jnp.dtype(d).name}", lambda x: jnp.min(x, axis=0), [_s(d, 3, 5)]) for d in (jnp.uint16, jnp.int16, jnp.uint32)],
    *[Case(f"argmax_{jnp.dtype(d).name}", lambda x: jnp.argmax(x, axis=1), [_s(d, 3, 5)]) for d in (jnp.uint16, jnp.int16, jnp.uint32)],
    *[
        Case(f"where_{jnp.dtype(d).name}", lambda p, a, b: lax.select(p, a, b), [_s(jnp.bool_, 3, 5), _s(d, 3, 5), _s(d, 3, 5)])
        for d in (jnp.bool_, jnp.int8, jnp.uint16, jnp.int16, jnp.uint32)
    ],
    Case("shift_uint16", lambda x: lax.shift_left(x, jnp.uint16(3)), [_s(jnp.uint16, 3, 5)]),
]

# Integer sums and products wrap in JAX, saturate in onnxruntime's ReduceSum/ReduceProd: int32
# and int64 extremes (reductions.ts computes them with CumSum and Mul, which wrap).
CASES += [
    Case("reduce_sum_int32_wraps", lambda x: jnp.sum(x, axis=1), [_s(jnp.int32, 4, 9)]),
    Case("reduce_sum_int32_all_axes_wraps", jnp.sum, [_s(jnp.int32, 3, 5)]),
    Case("reduce_prod_int32_wraps", lambda x: jnp.prod(x, axis=0), [_s(jnp.int32, 9, 4)]),
    Case("reduce_sum_int32_symbolic", lambda x: jnp.sum(x, axis=0), [_s(jnp.int32, "B", 4)]),
    Case("reduce_sum_int32_symbolic_kept", lambda x: jnp.sum(x, axis=(1, 2)), [_s(jnp.int32, "B", 3, 4)]),
    Case("reduce_prod_int8_wraps", lambda x: jnp.prod(x, axis=1, dtype=jnp.int8), [_s(jnp.int8, 3, 6)]),
]
