"""Cases for plugins/lax/shape_ops.ts: squeeze, transpose, concatenate, stack, unstack, tile, split, rev."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

CASES = [
    Case("squeeze", lambda x: lax.squeeze(x, (1,)), [("B", 1, 4)], expect_ops=["Squeeze"]),
    Case("squeeze_several", lambda x: jnp.squeeze(x, axis=(0, 2)), [(1, 3, 1, 4)]),
    Case("squeeze_to_scalar", lambda x: jnp.squeeze(x), [(1, 1)]),
    # JAX has no expand_dims primitive: lax.expand_dims emits broadcast_in_dim (Unsqueeze, no Expand).
    Case("expand_dims", lambda x: lax.expand_dims(x, (0, 2)), [("B", 4)], expect_ops=["Unsqueeze"]),
    Case("expand_dims_jnp_last", lambda x: jnp.expand_dims(x, -1), [jax.ShapeDtypeStruct((3, 4), jnp.int32)]),
    Case("transpose", lambda x: jnp.transpose(x, (2, 0, 1)), [("B", 3, 4)], expect_ops=["Transpose"]),
    Case("transpose_matrix", lambda x: x.T, [("B", 5)]),
    Case("transpose_int32", lambda x: jnp.transpose(x), [jax.ShapeDtypeStruct((2, 3, 4), jnp.int32)]),
    Case("concatenate", lambda x, y: jnp.concatenate([x, y], axis=1), [("B", 3), ("B", 2)], expect_ops=["Concat"]),
    Case("concatenate_three", lambda x, y, z: jnp.concatenate([x, y, z], axis=-1), [(2, 3), (2, 1), (2, 4)]),
    # Concatenating along a symbolic axis: the result has dim B + 2 or 2*B.
    Case("concatenate_symbolic_axis", lambda x, y: jnp.concatenate([x, y], axis=0), [("B", 3), (2, 3)]),
    Case("concatenate_symbolic_axis_twice", lambda x: jnp.concatenate([x, x * 2.0], axis=0), [("B", 3)]),
    Case("concatenate_bool", lambda x, y: jnp.concatenate([x, y]), [jax.ShapeDtypeStruct((2,), jnp.bool_), jax.ShapeDtypeStruct((3,), jnp.bool_)]),
    # Size-0 operands: JAX keeps them in the concatenate; ONNX Concat accepts empty inputs.
    Case("concatenate_empty_operand", lambda x, y: jnp.concatenate([x, y], axis=1), [("B", 0), ("B", 3)]),
    Case("concatenate_all_empty", lambda x, y: jnp.concatenate([x, y]), [(0, 2), (0, 2)]),
    Case("stack", lambda x, y: jnp.stack([x, y]), [("B", 3), ("B", 3)], expect_ops=["Concat"]),
    Case("stack_last_axis", lambda x, y, z: jnp.stack([x, y, z], axis=-1), [(2, "B"), (2, "B"), (2, "B")]),
    Case("stack_one", lambda x: jnp.stack([x], axis=1), [jax.ShapeDtypeStruct((4, 2), jnp.int32)]),
    Case("stack_scalars", lambda x, y: jnp.stack([x, y]), [(), ()]),
    Case("stack_bool", lambda x, y: lax.stack([x, y], axis=1), [jax.ShapeDtypeStruct((3,), jnp.bool_), jax.ShapeDtypeStruct((3,), jnp.bool_)]),
    Case("unstack", lambda x: sum(w * float(i) for i, w in enumerate(jnp.unstack(x))), [(3, "B")], expect_ops=["Split"]),
    Case("unstack_axis1", lambda x: lax.unstack(x, axis=1), [("B", 4, 2)]),
    Case("unstack_single", lambda x: lax.unstack(x, axis=0), [jax.ShapeDtypeStruct((1, 3), jnp.int32)]),
    Case("unstack_to_scalars", lambda x: lax.unstack(x), [(3,)]),
    Case("tile", lambda x: jnp.tile(x, (2, 3)), [("B", 3)], expect_ops=["Tile"]),
    Case("tile_int32", lambda x: lax.tile(x, (3,)), [jax.ShapeDtypeStruct((4,), jnp.int32)]),
    Case("tile_bool", lambda x: jnp.tile(x, (1, 2)), [jax.ShapeDtypeStruct((2, 2), jnp.bool_)]),
    Case("tile_empty", lambda x: jnp.tile(x, (2, 1)), [(0, 3)]),
    Case("split", lambda x: jnp.split(x, [1, 3], axis=1), [("B", 5)], expect_ops=["Split"]),
    Case("split_equal", lambda x: jnp.split(x, 2), [(4, 3)]),
    Case("split_zero_sized_piece", lambda x: jnp.split(x, [2, 2], axis=0), [(4, 3)]),
    Case("split_int32", lambda x: lax.split(x, (1, 2), axis=0), [jax.ShapeDtypeStruct((3, 2), jnp.int32)]),
    # Splitting a symbolic axis: the second piece has size B - 1.
    Case("split_symbolic_axis", lambda x: lax.split(x, (1, x.shape[0] - 1)), [("B", 2)], dims=({"B": 1}, {"B": 4})),
    Case("rev", lambda x: jnp.flip(x, 0), [("B", 3)], expect_ops=["Slice"]),
    Case("rev_two_axes", lambda x: lax.rev(x, (0, 2)), [(2, 3, 4)]),
    Case("rev_negative_step_slices", lambda x: x[::-1, ::-1], [jax.ShapeDtypeStruct((3, 4), jnp.int32)]),
    Case("rev_bool", lambda x: jnp.flip(x), [jax.ShapeDtypeStruct((5,), jnp.bool_)]),
    Case("rev_empty", lambda x: jnp.flip(x, 1), [(2, 0)]),
]
