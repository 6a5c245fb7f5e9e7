"""Cases for plugins/lax/scatter.ts: the .at[] update forms, duplicates, the three modes, and
general ScatterDimensionNumbers (windows, batching dims from vmap).

Integer inputs are drawn from [-5, 5] and the scattered axes are shorter, so indices repeat
(duplicates combine: add sums them, min/max keep the extreme, set keeps the last, as XLA's CPU
scatter does) and are often out of bounds (dropped in FILL_OR_DROP / PROMISE_IN_BOUNDS,
clamped in CLIP), all checked against JAX itself.
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def ints(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.int32)


_SDN = lax.ScatterDimensionNumbers

CASES = [
    Case("scatter_set_rows", lambda x, i, v: x.at[i].set(v), [(4, 3), ints(3), (3, 3)], expect_ops=["ScatterND"]),
    Case("scatter_set_scalar_value", lambda x, i: x.at[i].set(1.5), [("B", 3), ints(2)], dims=({"B": 4}, {"B": 6})),
    Case("scatter_set_traced_scalar_index", lambda x, i, v: x.at[i].set(v), [(4, 3), ints(), (3,)]),
    # Duplicate indices with set: JAX leaves the winner unspecified; XLA CPU and onnxruntime both
    # apply in index order. Eight indices in [-5, 5] over 3 rows always repeat.
    Case("scatter_set_duplicates", lambda x, i, v: x.at[i].set(v), [(3,), ints(8), (8,)]),
    Case("scatter_add_columns", lambda x, i, v: x.at[:, i].add(v), [("B", 4), ints(3), ("B", 3)], expect_ops=["ScatterND"]),
    Case("scatter_add_duplicates", lambda x, i: x.at[i].add(1.0), [(3, 2), ints(9)]),
    Case("scatter_add_int32", lambda x, i, v: x.at[i].add(v), [ints(4), ints(6), ints(6)]),
    Case("scatter_add_float16", lambda x, i, v: x.at[i].add(v), [jax.ShapeDtypeStruct((4,), jnp.float16), ints(3), jax.ShapeDtypeStruct((3,), jnp.float16)], atol=1e-2, rtol=1e-2),
    Case("scatter_sub", lambda x, i, v: x.at[i].subtract(v), [(4, 2), ints(5), (5, 2)]),
    Case("scatter_sub_lax", lambda x, i, v: lax.scatter_sub(x, i, v, _SDN((), (0,), (0,))), [(4,), ints(3, 1), (3,)]),
    Case("scatter_mul", lambda x, i, v: x.at[i].multiply(v), [(4, 3), ints(5), (5, 3)]),
    Case("scatter_divide", lambda x, i, v: x.at[i].divide(v), [(4,), ints(3), (3,)]),
    Case("scatter_min", lambda x, i, v: x.at[i].min(v), [(4, 3), ints(6), (6, 3)], expect_ops=["ScatterND"]),
    Case("scatter_max", lambda x, i, v: x.at[:, i].max(v), [(2, 4), ints(6), (2, 6)]),
    Case("scatter_max_int32", lambda x, i, v: x.at[i].max(v), [ints(4), ints(5), ints(5)]),
    # onnxruntime has no bool ScatterND max kernel: cast to uint8 around it.
    Case("scatter_max_bool", lambda x, i, v: x.at[i].max(v), [jax.ShapeDtypeStruct((4,), jnp.bool_), ints(3), jax.ShapeDtypeStruct((3,), jnp.bool_)]),
    Case("scatter_set_bool", lambda x, i: x.at[i].set(True), [jax.ShapeDtypeStruct((4, 2), jnp.bool_), ints(3)]),
    Case("scatter_set_uint8", lambda x, i, v: x.at[i].set(v), [jax.ShapeDtypeStruct((4,), jnp.uint8), ints(3), jax.ShapeDtypeStruct((3,), jnp.uint8)]),
    # Modes: clip clamps out-of-bound indices, drop (the default) and promise_in_bounds discard them.
    Case("scatter_set_clip", lambda x, i, v: x.at[i].set(v, mode="clip"), [(4, 2), ints(3), (3, 2)]),
    Case("scatter_add_clip", lambda x, i, v: x.at[i].add(v, mode="clip"), [(4,), ints(6), (6,)]),
    Case("scatter_add_drop", lambda x, i, v: x.at[i].add(v, mode="drop"), [(4,), ints(6), (6,)]),
    Case("scatter_add_promise_in_bounds", lambda x, i, v: x.at[i].add(v, mode="promise_in_bounds"), [(4,), ints(6), (6,)]),
    # Two index arrays: coordinates for two axes.
    Case("scatter_add_two_index_arrays", lambda x, i, j, v: x.at[i, j].add(v), [(4, 5), ints(6), ints(6), (6,)]),
    Case("scatter_set_index_matrix", lambda x, i: x.at[i].set(0.0), [(4, 3), ints(2, 2)]),
    Case("scatter_set_symbolic_indices", lambda x, i, v: x.at[i].set(v), [(5, 2), ints("B"), ("B", 2)]),
    # vmap of x.at[i].set(v): a batching dim in place -> ScatterElements.
    Case("scatter_vmap_set", jax.vmap(lambda x, i, v: x.at[i].set(v)), [("B", 4), ints("B"), ("B",)], dims=({"B": 5}, {"B": 9}), expect_ops=["ScatterElements"]),
    Case("scatter_vmap_add_clip", jax.vmap(lambda x, i, v: x.at[i].add(v, mode="clip")), [(3, 4), ints(3), (3,)], expect_ops=["ScatterElements"]),
    # vmap of dynamic_update_slice: batching dims with a window of 2 on the indexed dim (CLIP).
    Case("scatter_vmap_dynamic_update_slice", jax.vmap(lambda x, u, i: lax.dynamic_update_slice(x, u, (i,))), [(3, 5), (3, 2), ints(3)], expect_ops=["ScatterND"]),
    # lax.scatter directly: a window over an indexed dim and a partial window over a plain dim.
    Case(
        "scatter_windows_drop",
        lambda x, i, u: lax.scatter(x, i, u, _SDN(update_window_dims=(1, 2), inserted_window_dims=(), scatter_dims_to_operand_dims=(0,)), mode="drop"),
        [(5, 4), ints(3, 1), (3, 2, 3)],
    ),
    Case(
        "scatter_windows_clip",
        lambda x, i, u: lax.scatter_add(x, i, u, _SDN(update_window_dims=(0,), inserted_window_dims=(1,), scatter_dims_to_operand_dims=(1, 0)), mode="clip"),
        [(5, 4), ints(3, 2), (2, 3)],
    ),
    Case(
        "scatter_constant_indices",
        lambda x, u: lax.scatter(x, np.array([[2], [0]], np.int32), u, _SDN((1,), (0,), (0,)), mode="promise_in_bounds"),
        [(3, 2), (2, 2)],
    ),
    Case("scatter_empty_indices", lambda x, i, v: x.at[i].set(v), [(4, 3), ints(0), (0, 3)]),
    Case("scatter_1d_symbolic_operand", lambda x, i: x.at[i].add(2.0), [("B",), ints(4)], dims=({"B": 2}, {"B": 7})),
    # Library forms built on scatter.
    Case("scatter_segment_sum", lambda d, s: jax.ops.segment_sum(d, s, num_segments=4), [(6, 2), ints(6)]),
    Case("scatter_segment_max", lambda d, s: jax.ops.segment_max(d, s, num_segments=4), [(6,), ints(6)]),
    Case("scatter_bincount", lambda i: jnp.bincount(i, length=6), [ints(8)]),
    Case("scatter_put_along_axis", lambda x, i, v: jnp.put_along_axis(x, i, v, axis=1, inplace=False), [(3, 4), ints(3, 2), (3, 2)]),
    Case("scatter_slice_set", lambda x, v: x.at[1:3].set(v), [(5, 2), (2, 2)]),
    Case("scatter_strided_add", lambda x: x.at[::2].add(1.0), [(5,)]),
    Case("scatter_traced_row_partial_add", lambda x, i: x.at[i, 1:].add(1.0), [(4, 3), ints()]),
]

# x.at[i].apply(f) (scatter with an update function): f once per index that hits an element, so
# duplicate indices apply it repeatedly (f(f(x)) for an index given twice), out-of-bounds ones not.
CASES += [
    Case("scatter_apply_sin_rows", lambda x, i: x.at[i].apply(jnp.sin), [(4, 3), ints(6)], expect_ops=["Loop"]),
    Case("scatter_apply_duplicates", lambda x, i: x.at[i].apply(lambda v: v * 3 + 1), [(3,), ints(8)]),
    Case("scatter_apply_fixed_repeats", lambda x: x.at[jnp.array([0, 0, 2, 0, -1])].apply(lambda v: jnp.where(v > 0, v * 0.5, v - 1)), [(4, 2)]),
    Case("scatter_apply_columns_symbolic", lambda x, i: x.at[:, i].apply(jnp.exp), [("B", 4), ints(3)], dims=({"B": 2}, {"B": 5})),
    Case("scatter_apply_clip_mode", lambda x, i: x.at[i].apply(jnp.square, mode="clip"), [(5,), ints(4)]),
    Case("scatter_apply_int32", lambda x, i: x.at[i].apply(lambda v: v * 2 - 1), [ints(4), ints(5)]),
]
