"""Cases for plugins/lax/reshape.ts."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

BN = ({"B": 1, "N": 2}, {"B": 3, "N": 4})

CASES = [
    Case("reshape_static", lambda x: x.reshape(2, 6), [(3, 4)], expect_ops=["Reshape"]),
    Case("reshape_static_to_rank3", lambda x: jnp.reshape(x, (2, 3, 2)), [(12,)]),
    Case("reshape_int32", lambda x: x.reshape(4, 3), [jax.ShapeDtypeStruct((3, 4), jnp.int32)]),
    Case("reshape_bool", lambda x: x.reshape(-1), [jax.ShapeDtypeStruct((3, 4), jnp.bool_)]),
    # One symbolic dim: Reshape takes -1 for it, no shape arithmetic in the graph.
    Case("reshape_flatten_batch", lambda x: x.reshape(x.shape[0], -1), [("B", 3, 4)]),
    Case("reshape_unflatten_batch", lambda x: x.reshape(x.shape[0], 2, 6), [("B", 12)]),
    Case("reshape_symbolic_expression", lambda x: x.reshape(-1, 3), [("B", 6)]),  # (B, 6) -> (2*B, 3)
    # Two symbolic dims: the target is computed from the inputs' shapes.
    Case("reshape_merge_two_symbols", lambda x: lax.reshape(x, (x.shape[0] * x.shape[1],)), [("B", "N")], dims=BN),
    Case("reshape_merge_and_split_back", lambda x: x.reshape(-1).reshape(x.shape), [("B", "N")], dims=BN),
    Case("reshape_two_symbols_and_static", lambda x: x.reshape(x.shape[0], x.shape[1] * 4), [("B", "N", 4)], dims=BN),
    # Zero-size: ONNX Reshape reads a 0 in the target as "copy the input dim" unless allowzero=1.
    Case("reshape_zero_size_static", lambda x: x.reshape(0, 3), [(3, 0)]),
    Case("reshape_zero_size_symbolic", lambda x: x.reshape(0, x.shape[0]), [("B", 0)]),
    # A symbolic dim that is 0 at run time must not be read as "keep the input's dim" either.
    Case("reshape_symbolic_zero_at_run_time", lambda x: x.reshape(x.shape[1], x.shape[0]), [("B", "N")], dims=({"B": 0, "N": 3}, {"B": 2, "N": 3})),
]
