"""Cases for plugins/lax/atan2.ts. float32: one Atan of a quotient plus pi, within 2 ulp of the
angle (rtol 1e-6, atol 1e-6)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=1e-6, atol=1e-6)


def _axes(rng, shape, dtype):
    """Points on and near the axes and at infinity: zeros of both signs, +-1, +-inf, NaN."""
    values = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-30, -3.5])
    return values[rng.integers(0, values.size, size=shape)].astype(dtype)


CASES = [
    Case("atan2", lax.atan2, [("B", 8), ("B", 8)]),
    Case("atan2_jnp_arctan2", jnp.arctan2, [(4, 8), (4, 8)], sample=edge_values),
    Case("atan2_axes_and_infinities", lax.atan2, [(16, 16), (16, 16)], sample=_axes),
    # 1 / angle separates -0 from +0 (and -pi from pi is already apart).
    Case("atan2_signed_zeros", lambda x, y: 1.0 / lax.atan2(x, y), [(16, 16), (16, 16)], sample=_axes),
    Case("atan2_float16", lax.atan2, [jax.ShapeDtypeStruct((4, 8), jnp.float16)] * 2, rtol=2e-3, atol=2e-3),
    Case("atan2_rank0", lax.atan2, [(), ()]),
]
