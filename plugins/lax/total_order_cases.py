"""Cases for plugins/lax/total_order.ts: lt_to/le_to/eq_to under IEEE totalOrder (-0 < +0,
NaN above +inf and equal to itself), on floats, integers and bools, and as jnp.searchsorted
emits them. Results are bools (exact)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax._src.lax import lax as lax_internal

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=0.0, atol=0.0)


def _s(dtype, *shape):
    return jax.ShapeDtypeStruct(shape, dtype)


def _paired(rng, shape, dtype):
    """edge values where half of the entries repeat a neighbour's, so ties (and NaN == NaN) occur."""
    x = edge_values(rng, shape, dtype)
    flat = x.reshape(-1)
    flat[1::2] = flat[::2][: flat[1::2].size] if rng.random() < 0.5 else flat[1::2]
    return x


_paired = testing.all_dtypes(_paired)

PRIMS = [("lt_to", lax_internal.lt_to_p), ("le_to", lax_internal.le_to_p), ("eq_to", lax_internal.eq_to_p)]

CASES = [
    *[Case(f"{name}_float32", lambda x, y, p=p: p.bind(x, y), [(6, 8), (6, 8)], sample=_paired, expect_ops=["Gather"]) for name, p in PRIMS],
    # x against its own reversal: every pair of edges meets (-0 vs +0, inf vs NaN).
    *[Case(f"{name}_float32_crossed", lambda x, p=p: p.bind(x, x.reshape(8, 6).T), [(6, 8)], sample=edge_values) for name, p in PRIMS],
    *[Case(f"{name}_float16", lambda x, y, p=p: p.bind(x, y), [_s(jnp.float16, 4, 6), _s(jnp.float16, 4, 6)], sample=_paired) for name, p in PRIMS],
    *[Case(f"{name}_int32", lambda x, y, p=p: p.bind(x, y), [_s(jnp.int32, "B", 6), _s(jnp.int32, "B", 6)], sample=_paired) for name, p in PRIMS],
    *[Case(f"{name}_uint8", lambda x, y, p=p: p.bind(x, y), [_s(jnp.uint8, 4, 6), _s(jnp.uint8, 4, 6)], sample=_paired) for name, p in PRIMS],
    *[Case(f"{name}_bool", lambda x, y, p=p: p.bind(x, y), [_s(jnp.bool_, 4, 6), _s(jnp.bool_, 4, 6)]) for name, p in PRIMS],
    Case("lt_to_opset26", lambda x, y: lax_internal.lt_to_p.bind(x, y), [(6, 8), (6, 8)], sample=_paired, opset=26, expect_ops=["BitCast"]),
    Case("lt_to_rank0", lambda x, y: lax_internal.lt_to_p.bind(x, y), [(), ()], sample=edge_values),
]
