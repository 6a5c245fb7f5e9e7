"""Cases for plugins/lax/pad.ts: jnp.pad (constant mode) and lax.pad with negative and interior padding."""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def _pad(config, value=0.0):
    return lambda x: lax.pad(x, jnp.asarray(value, x.dtype), config)


CASES = [
    Case("pad_jnp", lambda x: jnp.pad(x, ((1, 2), (0, 1))), [("B", 3)], expect_ops=["Pad"]),
    Case("pad_value", lambda x: jnp.pad(x, 2, constant_values=-1.5), [(2, 3)]),
    # The padding value is a traced input.
    Case("pad_traced_value", lambda x, v: lax.pad(x, v, ((1, 0, 0), (0, 2, 0))), [("B", 2), ()]),
    Case("pad_negative", _pad(((-1, 2, 0), (1, -2, 0))), [(4, 5)]),
    Case("pad_negative_symbolic", _pad(((-1, 0, 0), (0, 0, 0))), [("B", 3)], dims=({"B": 2}, {"B": 4})),
    Case("pad_interior", _pad(((0, 0, 2), (1, 1, 1))), [(3, 4)], expect_ops=["Reshape"]),
    Case("pad_interior_symbolic", _pad(((1, 0, 1), (0, 0, 0)), 7.0), [("B", 2)]),
    # Interior padding, then the ends cropped (negative low/high apply after the interior).
    Case("pad_interior_negative", _pad(((-2, -1, 3), (0, 0, 0))), [(3, 2)]),
    Case("pad_interior_single_element", _pad(((0, 0, 4),)), [(1,)]),
    Case("pad_interior_empty", _pad(((1, 1, 2), (0, 0, 0))), [(0, 3)]),
    Case("pad_int32", _pad(((1, 1, 1), (2, 0, 0)), 9), [jax.ShapeDtypeStruct((2, 3), jnp.int32)]),
    # onnxruntime has no Pad kernel for int16 / uint16: padded as int32 and cast back.
    Case("pad_int16", _pad(((1, 1, 1),), -3), [jax.ShapeDtypeStruct((3,), jnp.int16)]),
    Case("pad_uint16", _pad(((0, 2, 0),), 65535), [jax.ShapeDtypeStruct((3,), jnp.uint16)]),
    Case("pad_bool", _pad(((1, 0, 1),), True), [jax.ShapeDtypeStruct((3,), jnp.bool_)]),
    Case("pad_scalar", _pad(()), [()]),
    Case("pad_constant_operand", lambda x: x + jnp.pad(np.ones((2, 2), np.float32), 1), [(4, 4)]),
    # jnp.pad's other modes are slices, rev and concatenate around the same rules.
    Case("pad_mode_reflect", lambda x: jnp.pad(x, ((1, 2), (2, 1)), mode="reflect"), [(4, 5)]),
    Case("pad_mode_edge", lambda x: jnp.pad(x, ((1, 2),), mode="edge"), [("B",)]),
    Case("pad_mode_wrap", lambda x: jnp.pad(x, ((1, 2),), mode="wrap"), [(4,)]),
]
