"""Cases for plugins/lax/gather.ts: every form jnp indexing produces, the three modes, and
general GatherDimensionNumbers (windows on indexed dims, batching dims from vmap).

Integer inputs are drawn from [-5, 5] and the indexed axes are shorter than that, so traced
indices are often negative or out of bounds: jnp normalises negatives once (x + n), and the
rest exercises each mode's clamping or filling against JAX itself.
"""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax import lax

from jax2onnx_lab.testing import Case


def ints(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.int32)


_GDN = lax.GatherDimensionNumbers
_IN_BOUNDS = np.array([[0, 1], [2, 0], [1, 2]], np.int32)

CASES = [
    # jnp indexing with integer arrays: Gather along one axis.
    Case("gather_rows", lambda x, i: x[i], [(4, 3), ints(5)], expect_ops=["Gather"]),
    Case("gather_columns", lambda x, i: x[:, i], [("B", 4), ints(2)], expect_ops=["Gather"]),
    Case("gather_index_matrix", lambda x, i: x[i], [(4, 3), ints(2, 3)], expect_ops=["Gather"]),
    Case("gather_symbolic_indices", lambda x, i: x[:, i] * 2.0, [(2, 4), ints("B")]),
    Case("gather_middle_axis", lambda x, i: x[:, i, :], [(2, 4, 3), ints("B", 2)]),
    Case("gather_constant_indices", lambda x: x[np.array([3, 0, -1], np.int32)], [("B", 2)], dims=({"B": 4}, {"B": 6})),
    # Two index arrays and mixes with slices and None: GatherND / windows.
    Case("gather_two_index_arrays", lambda x, i, j: x[i, j], [(4, 5), ints(3), ints(3)], expect_ops=["GatherND"]),
    Case("gather_index_slice_newaxis", lambda x, i: x[i, None, 1:3], [(4, 5), ints(3)]),
    Case("gather_ellipsis_newaxis", lambda x, i: x[..., i, None], [("B", 3, 4), ints(2)]),
    Case("gather_broadcast_index_arrays", lambda x, i, j: x[i[:, None], j[None, :]], [(4, 5), ints(3), ints(2)]),
    Case("gather_to_scalar", lambda x, i: x[i, i], [(4, 5), ints()]),
    # jnp.take: mode "fill" (its default, fill NaN), "clip", and a fill value.
    Case("gather_take", lambda x, i: jnp.take(x, i, axis=1), [(3, 4), ints(5)], expect_ops=["Where"]),
    Case("gather_take_clip", lambda x, i: jnp.take(x, i, axis=0, mode="clip"), [(3, 2), ints(6)]),
    Case("gather_take_fill_value", lambda x, i: jnp.take(x, i, axis=0, mode="fill", fill_value=-7.0), [(3, 2), ints(6)]),
    Case("gather_take_flat", lambda x, i: jnp.take(x, i), [(2, 3), ints(4)]),
    # Integer fill is the dtype's min, bool fill is True (jax.lax.gather).
    Case("gather_take_fill_int32", lambda x, i: jnp.take(x, i, axis=1), [ints(2, 4), ints(5)]),
    Case("gather_take_fill_bool", lambda x, i: jnp.take(x, i), [jax.ShapeDtypeStruct((4,), jnp.bool_), ints(5)]),
    Case("gather_take_fill_uint8", lambda x, i: jnp.take(x, i), [jax.ShapeDtypeStruct((3,), jnp.uint8), ints(5)]),
    Case("gather_bool", lambda x, i: x[i], [jax.ShapeDtypeStruct((4, 2), jnp.bool_), ints(3)]),
    Case("gather_int32", lambda x, i: x[:, i], [ints(3, 4), ints(2)]),
    # take_along_axis: operand batching dims paired in place -> GatherElements.
    Case("gather_take_along_axis", lambda x, i: jnp.take_along_axis(x, i, axis=1), [("B", 4), ints("B", 3)], expect_ops=["GatherElements"]),
    Case("gather_take_along_axis_3d", lambda x, i: jnp.take_along_axis(x, i, axis=1), [(2, 4, 3), ints(2, 5, 3)]),
    Case("gather_take_along_axis_clip", lambda x, i: jnp.take_along_axis(x, i, axis=0, mode="clip"), [(3, 2), ints(4, 2)]),
    # Symbolic operand dims turn basic slices into gathers with constant starts: the Slice path.
    Case("gather_symbolic_slice", lambda x: x[1:] - x[:-1], [("B", 3)], dims=({"B": 2}, {"B": 5}), expect_ops=["Slice"]),
    Case("gather_symbolic_static_index", lambda x: x[2], [(4, "B")], expect_ops=["Slice"]),
    # vmap over a dynamic_slice: operand batching dims with a window of 2 -> GatherND.
    Case("gather_vmap_dynamic_slice", jax.vmap(lambda x, i: lax.dynamic_slice(x, (i,), (2,))), [(3, 5), ints(3)], expect_ops=["GatherND"]),
    Case("gather_vmap_dynamic_slice_2d", jax.vmap(lambda x, i: lax.dynamic_slice(x, (i, 1), (2, 2))), [("B", 4, 3), ints("B")], float64=False),  # no x64 twin: JAX itself rejects int32 indices mixed with x64's int64 literals
    # lax.gather directly: windows on indexed dims, PROMISE_IN_BOUNDS (clamped, as XLA does).
    Case(
        "gather_windows_promise_in_bounds",
        lambda x, i: lax.gather(x, i, _GDN(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(0, 1)), (2, 3), mode="promise_in_bounds"),
        [(4, 5), ints(3, 2)],
    ),
    Case(
        "gather_windows_fill",
        lambda x, i: lax.gather(x, i, _GDN(offset_dims=(0,), collapsed_slice_dims=(0,), start_index_map=(0, 1)), (1, 3), mode="fill", fill_value=5.0),
        [(4, 5), ints(6, 2)],
    ),
    Case(
        "gather_offset_dims_first",
        lambda x, i: lax.gather(x, i, _GDN(offset_dims=(0, 1), collapsed_slice_dims=(1,), start_index_map=(1,)), (2, 1, 3), mode="clip"),
        [(3, 4, 3), ints(2, 1)],
    ),
    Case(
        "gather_in_bounds_constant",
        lambda x: lax.gather(x, _IN_BOUNDS, _GDN(offset_dims=(), collapsed_slice_dims=(0, 1), start_index_map=(0, 1)), (1, 1), mode="promise_in_bounds"),
        [(3, 3)],
    ),
    # Edge shapes: no indices, an empty operand axis that is not indexed, a scalar operand row.
    Case("gather_empty_indices", lambda x, i: x[i], [(4, 3), ints(0)]),
    Case("gather_empty_rows", lambda x, i: x[:, i], [(0, 4), ints(2)]),
    Case("gather_1d", lambda x, i: x[i], [(5,), ints("B")]),
    # An embedding lookup (nnx.Embed is jnp.take on the table, fill mode).
    Case("gather_nnx_embed", nnx.Embed(10, 4, rngs=nnx.Rngs(0)), [ints("B", 3)]),
    Case("gather_take_wrap", lambda x, i: jnp.take(x, i, mode="wrap"), [(5,), ints(4)]),
    Case("gather_triu_indices", lambda x: x[jnp.triu_indices(3)], [(3, 3)]),
    Case("gather_static_bool_mask", lambda x: x[np.array([True, False, True])], [(3, 2)]),
    Case("gather_repeat_array", lambda x: jnp.repeat(x, np.array([1, 2, 0]), axis=0, total_repeat_length=3), [(3, 2)]),
]
