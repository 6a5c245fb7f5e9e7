"""Cases for plugins/lax/shape_ops.ts."""

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
]
