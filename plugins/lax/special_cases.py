"""Cases for plugins/lax/special.ts over each function's real domain. float32 tolerances, measured
against JAX on 6,000 points each (worst seen: erf_inv 2.5e-6, lgamma 2.9e-6 next to a pole,
digamma 7e-7): rtol 1e-5 with atol 1e-5 (the error of a value near a zero of the function is
absolute). float16 computes in float32 and is compared at 1e-3."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy import special as jsp

from jax2onnx_lab import testing

Case = functools.partial(testing.Case, rtol=1e-5, atol=1e-5)


def _open_interval(rng, shape, dtype):
    """(-1, 1) with the ends, 0 and values within 1e-6 of +-1."""
    x = rng.uniform(-1, 1, size=shape)
    flat = x.reshape(-1)
    flat[:6] = [1.0, -1.0, 0.0, 0.9999994, -0.9999994, np.nan][: flat.size]
    return x.astype(dtype)


def _gamma_domain(rng, shape, dtype):
    """Negative non-integers, the poles themselves, small and large positives, +-inf and NaN."""
    x = np.where(rng.random(shape) < 0.5, rng.uniform(-10, 10, size=shape), 10.0 ** rng.uniform(-5, 30, size=shape))
    flat = x.reshape(-1)
    flat[:9] = [0.0, -1.0, -2.0, 1.0, 2.0, 0.5, np.inf, np.nan, -3.5][: flat.size]
    return x.astype(dtype)


CASES = [
    # No float64 twins: Giles' approximation is single precision (1e-7 off JAX's float64 erf_inv).
    Case("erf_inv", lax.erf_inv, [(40, 50)], sample=_open_interval, expect_ops=["Log", "Sqrt"], float64=False),
    Case("erf_inv_symbolic", lax.erf_inv, [("B", 8)], sample=testing.unit_interval, float64=False),
    Case("erf_inv_float16", lax.erf_inv, [jax.ShapeDtypeStruct((4, 8), jnp.float16)], sample=testing.unit_interval, rtol=1e-3, atol=1e-3),
    Case("jax_random_normal", lambda k: jax.random.normal(jax.random.wrap_key_data(k), (6, 7)), [jax.ShapeDtypeStruct((2,), jnp.uint32)]),
    Case("lgamma", lax.lgamma, [(40, 50)], sample=_gamma_domain),
    Case("lgamma_near_poles", lambda x: lax.lgamma(jnp.round(x) + 0.001 * x), [(8, 16)], sample=lambda rng, shape, dtype: rng.uniform(-8, 0, size=shape).astype(dtype)),
    Case("gammaln", jsp.gammaln, [("B", 8)], sample=testing.positive),
    Case("lgamma_float16", lax.lgamma, [jax.ShapeDtypeStruct((4, 8), jnp.float16)], sample=testing.positive, rtol=1e-3, atol=1e-3),
    Case("digamma", lax.digamma, [(40, 50)], sample=_gamma_domain),
    Case("digamma_rank0", lax.digamma, [()], sample=testing.positive),
]
