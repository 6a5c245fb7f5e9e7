"""Cases for plugins/lax/dynamic_slice.ts: traced starts, JAX's clamping, x[i] on a traced i.

Integer inputs are drawn from [-5, 5], so traced starts are often negative or past the end:
those cases check the clamp against JAX itself.
"""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

I32 = jax.ShapeDtypeStruct((), jnp.int32)

CASES = [
    Case("dynamic_slice", lambda x, i: lax.dynamic_slice(x, (i, 1), (2, 3)), [(4, 5), I32], expect_ops=["Slice"], float64=False),  # no x64 twin: JAX itself rejects int32 indices mixed with x64's int64 literals
    Case("dynamic_slice_two_traced_starts", lambda x, i, j: lax.dynamic_slice(x, (i, j), (3, 2)), [(6, 4), I32, I32]),
    # Static starts out of range clamp too: start 9 on an axis of 6 with size 3 reads from 3.
    Case("dynamic_slice_static_start_clamped", lambda x: lax.dynamic_slice(x, (9, -4), (3, 2)), [(6, 4)]),
    # x[i] on a traced i: jnp normalises a negative i, then dynamic_slice clamps.
    Case("dynamic_slice_index", lambda x, i: x[i], [("B", 4), I32], dims=({"B": 3}, {"B": 6})),
    Case("dynamic_slice_two_indices", lambda x, i: x[i, i + 1], [(4, 5), I32]),
    # A fixed-size slice of a symbolic axis does not trace (JAX cannot prove B >= size, and input
    # dims carry no constraints), so the symbolic axis is taken whole here.
    Case("dynamic_slice_symbolic_operand", lambda x, i: lax.dynamic_slice(x, (i, i), (x.shape[0], 2)), [("B", 3), I32]),
    Case("dynamic_slice_uint8_start", lambda x, i: lax.dynamic_slice(x, (i,), (2,)), [(5,), jax.ShapeDtypeStruct((), jnp.uint8)]),
    Case("dynamic_slice_int32", lambda x, i: lax.dynamic_slice(x, (1, i), (1, 2)), [jax.ShapeDtypeStruct((3, 4), jnp.int32), I32]),
    Case("dynamic_slice_bool", lambda x, i: lax.dynamic_slice(x, (i,), (3,)), [jax.ShapeDtypeStruct((5,), jnp.bool_), I32]),
    Case("dynamic_slice_empty", lambda x, i: lax.dynamic_slice(x, (i, 0), (0, 2)), [(3, 2), I32], float64=False),  # no x64 twin: JAX itself rejects int32 indices mixed with x64's int64 literals
    Case("dynamic_slice_whole", lambda x, i: lax.dynamic_slice(x, (i,), (4,)), [(4,), I32]),
    Case("dynamic_slice_roll_traced", lambda x, s: jnp.roll(x, s, axis=1), [(3, 5), I32]),
]
