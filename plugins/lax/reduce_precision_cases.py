"""Cases for plugins/lax/reduce_precision.ts: float32 to bfloat16's and float16's formats and to
narrower ones, float16 to fewer bits, with edge values. Bit-exact (tolerance 0)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=0.0, atol=0.0)


def _spread(rng, shape, dtype):
    """Magnitudes over the whole float32 range (so exponents over- and underflow), signs mixed."""
    x = np.sign(rng.standard_normal(shape)) * 10.0 ** rng.uniform(-40, 38, size=shape)
    return x.astype(dtype)


FORMATS = [(8, 7), (5, 10), (4, 3), (5, 2), (8, 23), (2, 1), (8, 0)]

CASES = [
    # No float64 twins: the rule refuses float64 operands (their bits need uint64 arithmetic).
    *[Case(f"reduce_precision_e{e}m{m}", lambda x, e=e, m=m: lax.reduce_precision(x, e, m), [(16, 16)], sample=_spread, float64=False) for e, m in FORMATS],
    *[Case(f"reduce_precision_e{e}m{m}_edges", lambda x, e=e, m=m: lax.reduce_precision(x, e, m), [(6, 8)], sample=edge_values, float64=False) for e, m in FORMATS[:4]],
    Case("reduce_precision_float16", lambda x: lax.reduce_precision(x, 4, 5), [jax.ShapeDtypeStruct((6, 8), jnp.float16)], sample=edge_values),
    Case("reduce_precision_symbolic", lambda x: lax.reduce_precision(x, 8, 7), [("B", 8)], float64=False),
    Case("reduce_precision_opset26", lambda x: lax.reduce_precision(x, 5, 10), [(6, 8)], sample=edge_values, opset=26, expect_ops=["BitCast"], float64=False),
]
