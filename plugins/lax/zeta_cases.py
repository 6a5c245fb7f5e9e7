"""Cases for plugins/lax/zeta.ts (zeta, polygamma; jax.scipy.special.zeta/polygamma).

Measured against JAX: zeta on 4,000 points (s in 1 + 10^[-3, 1.5], q in 10^[-3, 3]) and an edge
grid, worst float32 error 2.6e-7 relative (float64 8e-15): rtol 1e-6. polygamma on 4,000 points
(m in 0..7, x in 10^[-2, 3] and (-8, 0)): 7.7e-6 relative, from m! = exp(lgamma(m + 1)) (float64
1.5e-14): rtol 2e-5.

Pairs (s, q) and (m, x) travel as one [2, n] array, so that an edge grid covers every pair."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy import special as jsp

from jax2onnx_lab import testing

Case = functools.partial(testing.Case, rtol=1e-6, atol=1e-6)
inf, nan = np.inf, np.nan

# s: the pole s = 1 and just above it, integers of both parities, non-integers, below 1, large,
# +-inf, NaN. q: positive, tiny, zero of both signs, negative integers (poles) and non-integers
# (also below -10, where JAX's sum runs on a negative w), +-inf, NaN, large.
ZETA_S = [1.0, 1.0000001, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 2.5, 0.5, 0.0, -1.0, -2.0, inf, -inf, nan, 50.0, 100.0, 200.0, 1e10]
ZETA_Q = [1.0, 0.5, 1e-3, 1e-10, 0.0, -0.0, -1.0, -2.0, -1.5, -3.25, -9.5, -20.5, -20.25, -100.5, inf, -inf, nan, 1e10, 1e20, 30.0, -1e10]
# m: 0 (digamma), integers up to the overflow of m! in float32, non-integers, negative, inf, NaN.
POLYGAMMA_M = [0.0, -0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 35.0, 1.5, -1.0, inf, nan]
POLYGAMMA_X = [1.0, 0.5, 1e-3, 2.0, 10.0, 1e4, 0.0, -0.0, -1.0, -1.5, -2.5, inf, -inf, nan]


def _grid(first, second):
    def draw(rng, shape, dtype):
        return np.stack([v.ravel() for v in np.meshgrid(first, second, indexing="ij")]).astype(dtype)

    return draw


def _zeta_domain(rng, shape, dtype):
    n = shape[1]
    return np.stack([1 + 10.0 ** rng.uniform(-3, 1.5, n), 10.0 ** rng.uniform(-3, 3, n)]).astype(dtype)


def _polygamma_domain(rng, shape, dtype):
    n = shape[1]
    x = np.where(rng.random(n) < 0.8, 10.0 ** rng.uniform(-2, 3, n), rng.uniform(-8, 0, n))
    return np.stack([rng.integers(0, 8, n), x]).astype(dtype)


def paired(f):
    return lambda v: f(v[0], v[1])


def _above_one(rng, shape, dtype):
    return np.asarray(1.0 + 10.0 ** rng.uniform(-2, 1, size=shape)).astype(dtype)


CASES = [
    Case("zeta", paired(lax.zeta), [(2, 2000)], sample=_zeta_domain, expect_ops=["Pow"]),
    Case("zeta_edges", paired(lax.zeta), [(2, len(ZETA_S) * len(ZETA_Q))], sample=_grid(ZETA_S, ZETA_Q)),
    Case("zeta_symbolic", jsp.zeta, [("B", 8), ("B", 8)], sample=_above_one),
    Case("riemann_zeta_rank0", lambda s: jsp.zeta(s, 1.0), [()], sample=_above_one),
    Case("zeta_float16", lambda s: jsp.zeta(s, jnp.float16(2)), [jax.ShapeDtypeStruct((4, 8), jnp.float16)], sample=_above_one, rtol=1e-3, atol=1e-3),
    Case("polygamma", paired(lax.polygamma), [(2, 2000)], sample=_polygamma_domain, rtol=2e-5),
    Case("polygamma_edges", paired(lax.polygamma), [(2, len(POLYGAMMA_M) * len(POLYGAMMA_X))], sample=_grid(POLYGAMMA_M, POLYGAMMA_X), rtol=2e-5),
    Case("polygamma_scalar_order", lambda x: jsp.polygamma(3, x), [("B", 16)], sample=testing.positive, rtol=2e-5),
    # jax.grad of digamma is polygamma(1, x).
    Case("digamma_grad", jax.vmap(jax.grad(jsp.digamma)), [(64,)], sample=testing.positive, rtol=2e-5),
]
