"""Cases for plugins/lax/slice.ts: basic slicing (x[a:b:c]) and lax.slice."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

CASES = [
    Case("slice_rows", lambda x: x[1:3], [(5, 4)], expect_ops=["Slice"]),
    Case("slice_strided", lambda x: x[:, 1::2], [(3, 7)], expect_ops=["Slice"]),
    # With a symbolic dim in the operand, jnp emits a gather for a strided slice (plugins/lax/gather.ts).
    Case("slice_strided_symbolic", lambda x: x[:, 1::2], [("B", 7)]),
    Case("slice_lax_strides", lambda x: lax.slice(x, (0, 1, 0), (3, 6, 4), (2, 2, 3)), [(4, 6, 4)]),
    # The limit is the symbolic dim itself (x[1:] on a "B" axis): computed from the input's shape.
    Case("slice_symbolic_limit", lambda x: x[1:] - x[:-1], [("B", 3)], dims=({"B": 2}, {"B": 5})),
    Case("slice_int32", lambda x: x[::3, :2], [jax.ShapeDtypeStruct((7, 3), jnp.int32)]),
    Case("slice_bool", lambda x: x[1:], [jax.ShapeDtypeStruct((4,), jnp.bool_)]),
    Case("slice_to_empty", lambda x: x[2:2], [(5, 3)]),
    Case("slice_of_empty", lambda x: x[:, 1:], [(0, 3)]),
    # x[2] is slice + squeeze; jnp.roll with a static shift is two slices and a concatenate.
    Case("slice_static_int_index", lambda x: x[2], [(4, "B")]),
    Case("slice_roll", lambda x: jnp.roll(x, 2, axis=1), [("B", 5)]),
]
