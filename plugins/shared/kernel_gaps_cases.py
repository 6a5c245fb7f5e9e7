"""Cases for src/core/lower/kernel-gaps.ts (what ctx.op does where onnxruntime has no kernel,
docs/kernels.md): one JAX program per (op, dtype) that onnxruntime or onnxruntime-web cannot run,
so the wider computation is exercised in both. Exact."""

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

# Index dtypes and multi-way selects onnxruntime has no Where / Max / Min for (int16).
CASES += [
    Case("dynamic_slice_int16_starts", lambda x, i: lax.dynamic_slice(x, (i, jnp.int16(1)), (2, 3)), [(4, 5), _s(jnp.int16)], float64=False),  # no x64 twin: the int16 starts are the point
    Case("dynamic_update_slice_int16_starts", lambda x, u, i: lax.dynamic_update_slice(x, u, (i, jnp.int16(0))), [_s(jnp.int16, 4, 3), _s(jnp.int16, 2, 3), _s(jnp.int16)]),
    Case("select_n_int16_three_way", lambda w, a, b, c: lax.select_n(jnp.clip(w, 0, 2), a, b, c), [_s(jnp.int32, 3, 5), *[_s(jnp.int16, 3, 5)] * 3]),
]

# bfloat16 programs: onnxruntime has almost no bfloat16 kernels (docs/kernels.md); each op runs in
# float32 and rounds back to bfloat16 (float32 inputs, cast inside: bfloat16 cannot cross
# onnxruntime-web's edge). To bfloat16's precision (2**-8): XLA keeps float32 between the ops it
# fuses, where onnxruntime rounds after each.
_BF16 = jnp.bfloat16
_BF16_TOL = {"rtol": 1e-2, "atol": 1e-2, "sample": None, "float64": False}
CASES += [
    Case("bfloat16_arithmetic", lambda x, y: ((x.astype(_BF16) * 3 - y.astype(_BF16)) / 7).astype(jnp.float32), [(3, 4), (3, 4)], **_BF16_TOL),
    Case("bfloat16_exp_log", lambda x: jnp.log(jnp.exp(x.astype(_BF16)) + 1).astype(jnp.float32), [(3, 4)], **_BF16_TOL),
    Case("bfloat16_max_compare", lambda x, y: (jnp.max(x.astype(_BF16), axis=1).astype(jnp.float32), x.astype(_BF16) < y.astype(_BF16)), [(3, 4), (3, 4)], **_BF16_TOL),
    Case("bfloat16_matmul", lambda x, y: (x.astype(_BF16) @ y.astype(_BF16)).astype(jnp.float32), [(3, 4), (4, 2)], **_BF16_TOL),
]
