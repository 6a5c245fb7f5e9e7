"""Cases for plugins/lax/dynamic_update_slice.ts: traced starts (drawn from [-5, 5], so often
clamped), .at[i].set on a traced i, a KV-cache style update along a symbolic batch."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

I32 = jax.ShapeDtypeStruct((), jnp.int32)

CASES = [
    Case("dynamic_update_slice", lambda x, u, i: lax.dynamic_update_slice(x, u, (i, 1)), [(4, 5), (2, 3), I32], expect_ops=["ScatterND"], float64=False),  # no x64 twin: JAX itself rejects int32 indices mixed with x64's int64 literals
    Case("dynamic_update_slice_two_starts", lambda x, u, i, j: lax.dynamic_update_slice(x, u, (i, j)), [(5, 4), (2, 2), I32, I32]),
    Case("dynamic_update_slice_static_clamped", lambda x, u: lax.dynamic_update_slice(x, u, (7, -2)), [(4, 5), (2, 3)]),
    # A cache [B, T, D] written at a traced time step: only the T axis needs coordinates.
    Case("dynamic_update_slice_cache", lambda c, u, t: lax.dynamic_update_slice(c, u, (0, t, 0)), [("B", 6, 2), ("B", 1, 2), I32], float64=False),  # no x64 twin: JAX itself rejects int32 indices mixed with x64's int64 literals
    Case("dynamic_update_slice_in_dim", lambda x, u, i: lax.dynamic_update_slice_in_dim(x, u, i, axis=1), [(3, 6), (3, 2), I32]),
    Case("dynamic_update_slice_int32", lambda x, u, i: lax.dynamic_update_slice(x, u, (i,)), [jax.ShapeDtypeStruct((6,), jnp.int32), jax.ShapeDtypeStruct((2,), jnp.int32), I32]),
    Case("dynamic_update_slice_bool", lambda x, u, i: lax.dynamic_update_slice(x, u, (i,)), [jax.ShapeDtypeStruct((4,), jnp.bool_), jax.ShapeDtypeStruct((2,), jnp.bool_), I32]),
    Case("dynamic_update_slice_whole", lambda x, u, i: lax.dynamic_update_slice(x, u, (i, i)), [(2, 3), (2, 3), I32]),
    Case("dynamic_update_slice_empty_update", lambda x, u, i: lax.dynamic_update_slice(x, u, (i, 0)), [(3, 2), (0, 2), I32], float64=False),  # no x64 twin: JAX itself rejects int32 indices mixed with x64's int64 literals
    # x.at[i].set(v) with a scalar traced i is a scatter in JAX; x.at[i:i+2] is not expressible, so
    # lax.dynamic_update_index_in_dim covers the row form.
    Case("dynamic_update_index_in_dim", lambda x, r, i: lax.dynamic_update_index_in_dim(x, r, i, 0), [("B", 3), (3,), I32], dims=({"B": 2}, {"B": 4})),
    Case("dynamic_update_slice_scalar", lambda x, u: lax.dynamic_update_slice(x, u, ()), [(), ()]),
]
