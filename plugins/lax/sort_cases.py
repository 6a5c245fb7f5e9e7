"""Cases for plugins/lax/sort.ts: jnp.sort / argsort / lexsort, several operands and num_keys,
descending forms (sort + rev in jnp), and JAX's float order (NaNs last, -0 equal to 0, ties
stable), with inputs that contain those values."""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def special_floats(rng, shape, dtype):
    """Few distinct values (many ties) mixed with NaN, +-inf and -0.0."""
    pool = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -2.5, 1.0, 3.0], dtype)
    return pool[rng.integers(0, len(pool), size=shape)].astype(dtype)


def ties(rng, shape, dtype):
    return rng.integers(-2, 3, size=shape).astype(dtype)


def ints(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.int32)


CASES = [
    Case("sort", lambda x: jnp.sort(x, axis=-1), [("B", 6)], expect_ops=["TopK"]),
    Case("sort_axis0", lambda x: jnp.sort(x, axis=0), [(5, "B")]),
    # Along a symbolic axis: TopK's k is the axis size, read from the input's shape.
    Case("sort_symbolic_axis", lambda x: jnp.argsort(x, axis=0), [("B", 2)], dims=({"B": 1}, {"B": 6})),
    Case("sort_special_floats", lambda x: jnp.sort(x), [(3, 9)], sample=special_floats),
    Case("sort_descending", lambda x: jnp.sort(x, descending=True), [(2, 7)], sample=special_floats),
    Case("sort_int32", lambda x: jnp.sort(x, axis=1), [ints(3, 8)]),
    Case("sort_bool", lambda x: jnp.sort(x), [jax.ShapeDtypeStruct((7,), jnp.bool_)]),
    # onnxruntime has no TopK for uint16 / uint32: keys cast to int32 / int64 keep their order.
    Case("sort_uint32", lambda x: jnp.sort(x), [jax.ShapeDtypeStruct((6,), jnp.uint32)]),
    Case("sort_uint16", lambda x: jnp.sort(x), [jax.ShapeDtypeStruct((6,), jnp.uint16)]),
    # argsort is sort with an iota operand: stable, so tied keys keep their index order.
    Case("sort_argsort", lambda x: jnp.argsort(x, axis=-1), [("B", 8)], sample=ties),
    Case("sort_argsort_special_floats", lambda x: jnp.argsort(x), [(12,)], sample=special_floats),
    Case("sort_argsort_descending", lambda x: jnp.argsort(x, descending=True), [(9,)], sample=ties),
    Case("sort_argsort_int32", lambda x: jnp.argsort(x, axis=0), [ints(9, 2)]),
    # Several operands, one key: the others follow the key's permutation.
    Case("sort_key_value", lambda k, v: lax.sort((k, v), dimension=0, num_keys=1), [(8,), (8,)], sample=ties),
    # Two keys: lexicographic on (first, second), NaNs last in each.
    Case("sort_two_keys", lambda a, b, c: lax.sort((a, b, c), num_keys=2), [(2, 10), (2, 10), ints(2, 10)], sample=special_floats),
    Case("sort_lexsort", lambda a, b: jnp.lexsort((a, b)), [ints(10), ints(10)]),
    Case("sort_take_along_argsort", lambda x: jnp.take_along_axis(x, jnp.argsort(x, axis=-1), axis=-1), [("B", 5)]),
    Case("sort_empty_axis", lambda x: jnp.sort(x, axis=1), [(3, 0)]),
    Case("sort_single", lambda x: jnp.argsort(x), [(1,)]),
    Case("sort_unstable", lambda x: lax.sort(x, is_stable=False), [(4, 6)]),
    # Order statistics built on sort.
    Case("sort_median", lambda x: jnp.median(x, axis=-1), [("B", 5)]),
    Case("sort_percentile", lambda x: jnp.percentile(x, 30.0, axis=0), [(5, 3)]),
    Case("sort_partition", lambda x: jnp.partition(x, 2), [(6,)]),
    Case("sort_searchsorted", lambda a, v: jnp.searchsorted(jnp.sort(a), v, method="sort"), [(6,), (4,)]),
]
