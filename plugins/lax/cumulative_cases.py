"""Cases for plugins/lax/cumulative.ts: cumprod, cummax, cummin, cumlogsumexp, forward and reversed.
float32: a log-depth scan reorders products and log-sum-exps (rtol 1e-5, atol 1e-6); integers exact."""

import functools

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=1e-5, atol=1e-6)
Exact = functools.partial(testing.Case, rtol=0.0, atol=0.0)


def _s(dtype, *shape):
    return jax.ShapeDtypeStruct(shape, dtype)


OPS = [("cumprod", lax.cumprod), ("cummax", lax.cummax), ("cummin", lax.cummin), ("cumlogsumexp", lax.cumlogsumexp)]

CASES = [
    *[Case(f"{name}_axis1", lambda x, f=f: f(x, axis=1), [("B", 7)]) for name, f in OPS],
    *[Case(f"{name}_reverse", lambda x, f=f: f(x, axis=0, reverse=True), [(9, "B")]) for name, f in OPS],
    *[Case(f"{name}_length1", lambda x, f=f: f(x, axis=1), [(3, 1)]) for name, f in OPS],
    *[Case(f"{name}_size0", lambda x, f=f: f(x, axis=0), [(0, 3)]) for name, f in OPS],
    # NaN propagates; infinities: cumlogsumexp of -inf runs stays -inf.
    *[Case(f"{name}_edges", lambda x, f=f: f(x, axis=1), [(4, 12)], sample=edge_values, rtol=1e-5, atol=1e-5) for name, f in OPS if name != "cumprod"],
    Case("cumprod_near_one", lambda x: lax.cumprod(1.0 + 0.1 * x, axis=1), [(4, 16)]),
    Exact("cumprod_int32_wraps", lambda x: lax.cumprod(x, axis=1), [_s(jnp.int32, 3, 40)]),
    Exact("cummax_int32_edges", lambda x: lax.cummax(x, axis=0), [_s(jnp.int32, 10, 3)], sample=edge_values),
    Exact("cummin_uint32_reverse", lambda x: lax.cummin(x, axis=1, reverse=True), [_s(jnp.uint32, 3, 10)], sample=edge_values),
    Exact("cummax_int16", lambda x: lax.cummax(x, axis=1), [_s(jnp.int16, 3, 10)], sample=edge_values),
    Exact("cummin_int8", lambda x: lax.cummin(x, axis=1), [_s(jnp.int8, 3, 10)], sample=edge_values),
    Case("jnp_cumprod", lambda x: jnp.cumprod(x, axis=-1), [(2, 3, 5)]),
    Case("cumprod_opset26", lambda x: lax.cumprod(x, axis=1, reverse=True), [("B", 6)], opset=26, expect_ops=["CumProd"]),
    Case("cumlogsumexp_large", lambda x: lax.cumlogsumexp(x * 50.0, axis=1), [(3, 17)]),
]
