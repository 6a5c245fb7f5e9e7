"""Cases for plugins/lax/iota.ts: iota and dim_as_value."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

CASES = [
    # A static arange is folded to a constant; the symbolic cases below keep Range in the graph.
    Case("arange", lambda x: x + jnp.arange(4), [("B", 4)]),
    Case("arange_float", lambda x: x * jnp.arange(4, dtype=jnp.float32), [("B", 4)]),
    Case("broadcasted_iota_2d_rows", lambda x: lax.broadcasted_iota(jnp.int32, (3, 4), 0), [(1,)]),
    Case("broadcasted_iota_2d_columns", lambda x: x + lax.broadcasted_iota(jnp.float32, (3, 4), 1), [(3, 4)]),
    # With a symbolic target shape the broadcast stays in the graph (static iotas fold to constants).
    # Added to x, the Add broadcasts the iota's row itself: the Expand is removed (remove-identities).
    Case("broadcasted_iota_symbolic_rows", lambda x: x + lax.broadcasted_iota(jnp.float32, x.shape, 1), [("B", 4)]),
    Case("broadcasted_iota_symbolic", lambda x: lax.broadcasted_iota(jnp.int32, x.shape, 1) * 2, [("B", 4)]),
    Case("broadcasted_iota_along_symbolic", lambda x: lax.broadcasted_iota(jnp.int32, x.shape, 0), [("B", 4)]),
    # A length that is a symbolic dim: Range's limit comes from the input's shape.
    Case("arange_symbolic_length", lambda x: jnp.arange(x.shape[0]), [("B", 4)], expect_ops=["Range"]),
    Case("arange_symbolic_expression", lambda x: jnp.arange(2 * x.shape[0] + 1), [("B",)]),
    Case("triangular_mask", lambda x: jnp.where(jnp.tril(jnp.ones((x.shape[0], x.shape[0]), bool)), x, 0.0), [("B", "B")]),
    # dim_as_value: a symbolic dim used as a number.
    Case("dim_as_value", lambda x: x * x.shape[0], [("B", 3)], expect_ops=["Shape"]),
    Case("dim_as_value_mean", lambda x: jnp.sum(x, axis=0) / x.shape[0], [("B", 3)]),
    Case("dim_as_value_int32", lambda x: x + x.shape[1], [jax.ShapeDtypeStruct(("B", "N"), jnp.int32)], dims=({"B": 1, "N": 2}, {"B": 3, "N": 5})),
]
