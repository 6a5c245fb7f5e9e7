"""jnp.searchsorted has no primitive of its own: each `method` traces to primitives with rules
elsewhere — "scan" and "scan_unrolled" to a fori_loop of a bisection (while / scan, comparisons,
dynamic indexing), "sort" to a sort of the concatenated keys (sort.ts), "compare_all" to one
comparison of every pair and a sum. These cases pin each method and side, JAX's NaN order (NaNs
sort last, so a NaN query lands after them), signed zeros, infinities, repeated keys and empty
inputs. Indices are exact: tolerance 0."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jax2onnx_lab import testing

Case = functools.partial(testing.Case, rtol=0, atol=0)

KEYS = np.array([-np.inf, -2, -0.0, 0, 0, 0.0, 1, 1, 1, 3.5, np.inf, np.nan, np.nan], np.float32)
QUERIES = [-np.inf, -3, -2, -0.0, 0, 0.5, 1, 2, 3.5, 4, np.inf, np.nan]


def _sorted_keys(rng, shape, dtype):
    """Sorted along the last axis (a rank-0 query is just a draw)."""
    x = np.asarray(rng.standard_normal(shape))
    return (np.sort(x) if x.ndim else x).astype(dtype)


def _with_edges(rng, shape, dtype):
    x = rng.standard_normal(shape) * 2
    flat = x.reshape(-1)
    flat[: len(QUERIES)] = QUERIES[: flat.size]
    return x.astype(dtype)


def _edge_keys(fn):
    """fn(keys, v) with the edge keys above as a constant."""
    return lambda v: fn(jnp.asarray(KEYS), v)


CASES = [
    *[
        Case(f"searchsorted_{method}_{side}", _edge_keys(functools.partial(jnp.searchsorted, side=side, method=method)), [(3, 8)], sample=_with_edges)
        for method in ("scan", "scan_unrolled", "sort", "compare_all")
        for side in ("left", "right")
    ],
    Case("searchsorted_symbolic_queries", lambda a, v: jnp.searchsorted(a, v), [(20,), ("B", 5)], sample=_sorted_keys),
    Case("searchsorted_int32", lambda a, v: jnp.searchsorted(jnp.sort(a), v, side="right"), [jax.ShapeDtypeStruct((16,), jnp.int32), jax.ShapeDtypeStruct((4, 6), jnp.int32)]),
    Case("searchsorted_empty_keys", lambda a, v: jnp.searchsorted(a, v), [(0,), (5,)]),
    Case("searchsorted_rank0_query", lambda a, v: jnp.searchsorted(a, v, method="sort"), [(12,), ()], sample=_sorted_keys),
    # jnp.digitize is searchsorted on the bin edges.
    Case("digitize", lambda x: jnp.digitize(x, jnp.linspace(-2.0, 2.0, 9)), [(6, 7)]),
]
