"""Cases for plugins/lax/special.ts over each function's real domain. float32 tolerances, measured
against JAX on 6,000 points each (worst seen: erf_inv 2.5e-6, lgamma 2.9e-6 next to a pole,
digamma 7e-7): rtol 1e-5 with atol 1e-5 (the error of a value near a zero of the function is
absolute). float16 computes in float32 and is compared at 1e-3.

float64 (the _f64 twins): lgamma and digamma agree with JAX to 1e-12. erf_inv is refined to 1.6e-15
of the exact value (mpmath, 3,000 points down to 1 - |x| = 1e-16), but JAX's own float64 erf_inv
is up to 1.05e-10 off the exact value near |x| = 1 - 7e-9: its twins compare at 2e-10."""

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


def _near_one(rng, shape, dtype):
    """+-(1 - 10^u), u uniform in [-15, -1] for float64 (1 - |x| down to 1e-15) and [-7, -1] for
    float32: the tails, where estimate and refinement work hardest."""
    lo = -15 if np.dtype(dtype) == np.float64 else -7
    x = rng.choice([-1.0, 1.0], size=shape) * (1 - 10.0 ** rng.uniform(lo, -1, size=shape))
    return x.astype(dtype)


def _gamma_domain(rng, shape, dtype):
    """Negative non-integers, the poles themselves, small and large positives, +-inf and NaN."""
    x = np.where(rng.random(shape) < 0.5, rng.uniform(-10, 10, size=shape), 10.0 ** rng.uniform(-5, 30, size=shape))
    flat = x.reshape(-1)
    flat[:9] = [0.0, -1.0, -2.0, 1.0, 2.0, 0.5, np.inf, np.nan, -3.5][: flat.size]
    return x.astype(dtype)


CASES = [
    Case("erf_inv", lax.erf_inv, [(40, 50)], sample=_open_interval, expect_ops=["Log", "Sqrt"], rtol64=2e-10, expect_ops64=["Loop"]),
    Case("erf_inv_tails", lax.erf_inv, [(4, 100)], sample=_near_one, rtol64=2e-10),
    Case("erf_inv_symbolic", lax.erf_inv, [("B", 8)], sample=testing.unit_interval, rtol64=2e-10),
    Case("erf_inv_float16", lax.erf_inv, [jax.ShapeDtypeStruct((4, 8), jnp.float16)], sample=testing.unit_interval, rtol=1e-3, atol=1e-3),
    Case("jax_random_normal", lambda k: jax.random.normal(jax.random.wrap_key_data(k), (6, 7)), [jax.ShapeDtypeStruct((2,), jnp.uint32)]),
    Case("jax_random_normal_float64", lambda k: jax.random.normal(jax.random.wrap_key_data(k), (6, 7), dtype=jnp.float64), [jax.ShapeDtypeStruct((2,), jnp.uint32)], x64=True, rtol=2e-10, atol=1e-12),
    Case("lgamma", lax.lgamma, [(40, 50)], sample=_gamma_domain),
    Case("lgamma_near_poles", lambda x: lax.lgamma(jnp.round(x) + 0.001 * x), [(8, 16)], sample=lambda rng, shape, dtype: rng.uniform(-8, 0, size=shape).astype(dtype)),
    Case("gammaln", jsp.gammaln, [("B", 8)], sample=testing.positive),
    Case("lgamma_float16", lax.lgamma, [jax.ShapeDtypeStruct((4, 8), jnp.float16)], sample=testing.positive, rtol=1e-3, atol=1e-3),
    Case("digamma", lax.digamma, [(40, 50)], sample=_gamma_domain),
    Case("digamma_rank0", lax.digamma, [()], sample=testing.positive),
]
