"""Cases for plugins/lax/bessel.ts (bessel_i0e, bessel_i1e; jax.scipy.special.i0e/i1e/i0/i1).

Measured against JAX on 6,000 points in [-40, 40] and 10^[-5, 5]: worst float32 error 1e-6
relative (JAX's Cephes Chebyshev fits are themselves ~1e-7 off: i0e(0) is 1.0000001 there), so
rtol 2e-6, atol 1e-6; float64 1.5e-15 relative."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy import special as jsp

from jax2onnx_lab import testing

Case = functools.partial(testing.Case, rtol=2e-6, atol=1e-6)

# Zero of both signs, tiny, the method switch (10 in float32, 20 in float64) and either side of
# it, large, the largest float, +-inf and NaN.
EDGES = [0.0, -0.0, 1e-30, -1e-30, 1e-3, 1.0, -1.0, 8.0, 9.999, 10.0, 10.001, 19.99, 20.0, 20.01, -30.0, 100.0, 1e10, 3e38, np.inf, -np.inf, np.nan]


def _wide(rng, shape, dtype):
    """Both signs, magnitudes 1e-5 .. 1e5, with the edges first."""
    x = np.asarray(rng.choice([-1, 1], size=shape) * 10.0 ** rng.uniform(-5, 5, size=shape))
    flat = x.reshape(-1)
    flat[: len(EDGES)] = EDGES[: flat.size]
    return x.astype(dtype)


def _moderate(rng, shape, dtype):
    return np.asarray(rng.uniform(-40, 40, size=shape)).astype(dtype)


CASES = [
    Case("bessel_i0e", lax.bessel_i0e, [(40, 50)], sample=_wide, expect_ops=["Exp", "Sqrt"]),
    Case("bessel_i0e_moderate", jsp.i0e, [("B", 64)], sample=_moderate),
    Case("bessel_i0e_float16", lax.bessel_i0e, [jax.ShapeDtypeStruct((4, 8), jnp.float16)], sample=_moderate, rtol=1e-3, atol=1e-3),
    Case("bessel_i0", jsp.i0, [(8, 8)], sample=lambda rng, shape, dtype: rng.uniform(-12, 12, size=shape).astype(dtype)),
    Case("bessel_i1e", lax.bessel_i1e, [(40, 50)], sample=_wide),
    Case("bessel_i1e_rank0", jsp.i1e, [()], sample=lambda rng, shape, dtype: np.asarray(rng.uniform(-40, 40)).astype(dtype)),
    Case("bessel_i1", jsp.i1, [(8, 8)], sample=lambda rng, shape, dtype: rng.uniform(-12, 12, size=shape).astype(dtype)),
    # d/dx i0e = i1e - sign(x) i0e (JAX's jvp rule).
    Case("bessel_i0e_grad", jax.vmap(jax.grad(jsp.i0e)), [(64,)], sample=_moderate),
]
