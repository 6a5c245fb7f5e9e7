"""Cases for plugins/lax/top_k.ts: lax.top_k (ties: the lower index first), approx_max_k /
approx_min_k (exact top k, a valid answer), dtypes onnxruntime's TopK lacks (cast around)."""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def ties(rng, shape, dtype):
    return rng.integers(-2, 3, size=shape).astype(dtype)


def with_nan(rng, shape, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    x[rng.random(shape) < 0.2] = np.nan
    return x


CASES = [
    Case("top_k", lambda x: lax.top_k(x, 3), [("B", 7)], expect_ops=["TopK"]),
    Case("top_k_ties", lambda x: lax.top_k(x, 5), [(3, 8)], sample=ties),
    # NaN ranks above every number, as in JAX (no +inf in these inputs: see top_k.ts).
    Case("top_k_nan", lambda x: lax.top_k(x, 4), [(3, 6)], sample=with_nan),
    Case("top_k_all", lambda x: lax.top_k(x, 5), [(5,)]),
    Case("top_k_int32", lambda x: lax.top_k(x, 2), [jax.ShapeDtypeStruct((4, 6), jnp.int32)]),
    Case("top_k_uint32", lambda x: lax.top_k(x, 3), [jax.ShapeDtypeStruct((6,), jnp.uint32)]),
    Case("top_k_bool", lambda x: lax.top_k(x, 3), [jax.ShapeDtypeStruct((6,), jnp.bool_)]),
    Case("top_k_int8", lambda x: lax.top_k(x, 3), [jax.ShapeDtypeStruct((2, 6), jnp.int8)]),
    Case("top_k_axis0", lambda x: lax.top_k(x, 2, axis=0), [(5, "B")]),
    Case("top_k_zero", lambda x: lax.top_k(x, 0), [(2, 4)]),
    Case("approx_max_k", lambda x: lax.approx_max_k(x, 3), [("B", 9)], expect_ops=["TopK"]),
    Case("approx_min_k", lambda x: lax.approx_min_k(x, 2), [(3, 7)], sample=ties),
    # aggregate_to_topk=False: JAX returns more candidates than k (256 here), the exact top ones.
    Case("approx_max_k_not_aggregated", lambda x: lax.approx_max_k(x, 4, aggregate_to_topk=False), [(2, 600)]),
    Case("approx_max_k_axis0", lambda x: lax.approx_max_k(x, 2, reduction_dimension=0), [(6, 3)]),
]
