"""Cases for plugins/lax/nextafter.ts (exact: tolerance 0)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=0.0, atol=0.0)

CASES = [
    Case("nextafter", lax.nextafter, [("B", 16), ("B", 16)], sample=edge_values),
    Case("nextafter_crossed", lambda x: lax.nextafter(x, x.reshape(8, 6).T), [(6, 8)], sample=edge_values),
    Case("nextafter_toward_inf", lambda x: lax.nextafter(x, jnp.full_like(x, jnp.inf)), [(4, 8)], sample=edge_values),
    Case("nextafter_float16", lax.nextafter, [jax.ShapeDtypeStruct((4, 8), jnp.float16)] * 2, sample=edge_values),
    Case("nextafter_opset26", lax.nextafter, [(4, 8), (4, 8)], sample=edge_values, opset=26, expect_ops=["BitCast"]),
]

# Signed zeros: 1 / result tells -0 (-inf) from +0 (inf), which plain comparison cannot.
CASES.append(Case("nextafter_signed_zeros", lambda x, y: 1.0 / lax.nextafter(x, y), [(6,), (6,)], sample=lambda rng, shape, dtype: np.array([0.0, -0.0, 1e-45, -1e-45, 0.0, -0.0], dtype)[: shape[0]]))
