"""Cases for plugins/lax/cumsum.ts."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

CASES = [
    Case("cumsum_last_axis", lambda x: jnp.cumsum(x, axis=-1), [("B", 5)], expect_ops=["CumSum"]),
    Case("cumsum_reverse", lambda x: lax.cumsum(x, axis=0, reverse=True), [(4, 3)]),
    Case("cumsum_int32", lambda x: jnp.cumsum(x, axis=1), [jax.ShapeDtypeStruct((2, 6), jnp.int32)]),
]
