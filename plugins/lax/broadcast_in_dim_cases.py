"""Cases for plugins/lax/broadcast_in_dim.ts."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

CASES = [
    Case("broadcast_scalar", lambda x: jnp.broadcast_to(jnp.sum(x), (3, 4)), [(2,)], expect_ops=["Expand"]),
    Case("broadcast_scalar_literal", lambda x: x + jnp.full((x.shape[0], 4), 2.0), [("B", 4)]),
    Case("broadcast_new_leading_dims", lambda x: jnp.broadcast_to(x, (2, 3, 4)), [(4,)], expect_ops=["Unsqueeze", "Expand"]),
    Case("broadcast_new_middle_dim", lambda x: lax.broadcast_in_dim(x, (x.shape[0], 3, 4), (0, 2)), [("B", 4)]),
    # Target dims the operand lacks are symbolic: computed from another input's shape.
    Case("broadcast_to_symbolic_batch", lambda x, y: jnp.broadcast_to(x, y.shape) + y, [(4,), ("B", 4)]),
    Case("broadcast_size1_to_symbolic", lambda x, y: jnp.broadcast_to(x, (y.shape[0], 4)), [(1, 4), ("B", 4)]),
    Case("broadcast_size1_expansion", lambda x: jnp.broadcast_to(x, (3, 5)), [(3, 1)], expect_ops=["Expand"]),
    Case("broadcast_size1_keep_symbolic", lambda x: jnp.broadcast_to(x, (x.shape[0], 5)), [("B", 1)]),
    Case("broadcast_int32", lambda x: jnp.broadcast_to(x, (2, 3, 4)), [jax.ShapeDtypeStruct((3, 1), jnp.int32)]),
    Case("broadcast_bool", lambda x: jnp.broadcast_to(x, (2, 4)), [jax.ShapeDtypeStruct((4,), jnp.bool_)]),
]
