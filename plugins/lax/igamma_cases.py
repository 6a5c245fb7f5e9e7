"""Cases for plugins/lax/igamma.ts (igamma, igammac, igamma_grad_a) and for lax.random_gamma_grad,
which JAX traces into while loops of the same series and fraction (it is no primitive).

Tolerances, measured against JAX on 4,000 points each: for a and x in (1e-3, 20] the worst float32
error is 5e-6 absolute (1.6e-5 relative where the value is ~1e-1): rtol = atol = 1e-5. For a in
[20, 100] with x near a, JAX's own float32 result is 3e-5 off the exact value (the rounding of
a log x - x - lgamma(a)) and ours as much: atol 1e-4. In float64 the same points agree to 2e-14
(a <= 20) and 3e-12 relative (a <= 1000).

Paired inputs (a, x) travel as one [2, n] array, so that an edge grid covers every pair."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy import special as jsp

from jax2onnx_lab import testing

Case = functools.partial(testing.Case, rtol=1e-5, atol=1e-5)
inf, nan = np.inf, np.nan

# JAX's edges: 0, -0, tiny, a = 0 (NaN at x = 0, the limit elsewhere), x = inf, negatives and NaN.
# a = 1e10 is left out of the grid: there float32 rounds a log x - x - lgamma(a) to garbage in JAX.
EDGE_A = [0.0, -0.0, 1e-30, 1e-3, 0.5, 1.0, 2.0, 10.0, 100.0, inf, -1.0, nan]
EDGE_X = [0.0, -0.0, 1e-30, 1e-3, 0.5, 1.0, 2.0, 10.0, 100.0, 1e10, inf, -1.0, nan]


def _edge_pairs(rng, shape, dtype):
    a, x = np.meshgrid(EDGE_A, EDGE_X, indexing="ij")
    return np.stack([a.ravel(), x.ravel()]).astype(dtype)


def _log_uniform(lo, hi):
    def draw(rng, shape, dtype):
        return np.asarray(10.0 ** rng.uniform(np.log10(lo), np.log10(hi), size=shape)).astype(dtype)

    return draw


def _a_then_near_a(lo, hi):
    """[a, x] with a uniform in [lo, hi] and x within 50 % of a: the region where both methods
    need the most steps."""

    def draw(rng, shape, dtype):
        a = rng.uniform(lo, hi, size=shape[1:])
        return np.stack([a, a * rng.uniform(0.5, 1.5, size=shape[1:])]).astype(dtype)

    return draw


def paired(f):
    return lambda ax: f(ax[0], ax[1])


N_EDGES = len(EDGE_A) * len(EDGE_X)
small_domain = _log_uniform(1e-3, 30)

CASES = [
    Case("igamma", lax.igamma, [(40, 50), (40, 50)], sample=small_domain, expect_ops=["Loop"]),
    Case("igamma_edges", paired(lax.igamma), [(2, N_EDGES)], sample=_edge_pairs),
    Case("igamma_large_a", paired(lax.igamma), [(2, 500)], sample=_a_then_near_a(20, 100), atol=1e-4),
    Case("igamma_symbolic", lax.igamma, [("B", 8), ("B", 8)], sample=small_domain),
    Case("igamma_size0", lax.igamma, [(0, 3), (0, 3)], sample=small_domain),
    Case("gammainc_scalar_a", lambda x: jsp.gammainc(2.5, x), [(64,)], sample=small_domain),
    Case("igamma_float16", lax.igamma, [jax.ShapeDtypeStruct((4, 8), jnp.float16)] * 2, sample=_log_uniform(0.1, 10), rtol=1e-3, atol=1e-3),
    Case("igammac", lax.igammac, [(40, 50), (40, 50)], sample=small_domain, expect_ops=["Loop"]),
    Case("igammac_edges", paired(lax.igammac), [(2, N_EDGES)], sample=_edge_pairs),
    Case("igammac_large_a", paired(lax.igammac), [(2, 500)], sample=_a_then_near_a(20, 100), atol=1e-4),
    Case("gammaincc_rank0", jsp.gammaincc, [(), ()], sample=small_domain),
    Case("igamma_grad_a", lax.igamma_grad_a, [(40, 50), (40, 50)], sample=small_domain),
    Case("igamma_grad_a_edges", paired(lax.igamma_grad_a), [(2, N_EDGES)], sample=_edge_pairs),
    Case("igamma_grad_a_large_a", paired(lax.igamma_grad_a), [(2, 500)], sample=_a_then_near_a(20, 100), atol=1e-4),
    # jax.grad of gammainc in a is igamma_grad_a; in x, the density x^(a-1) e^-x / Gamma(a).
    Case("gammainc_grad", lambda a, x: jax.grad(lambda a, x: jsp.gammainc(a, x).sum(), argnums=(0, 1))(a, x), [(6, 7), (6, 7)], sample=small_domain),
    Case("random_gamma_grad", lax.random_gamma_grad, [(20, 30), (20, 30)], sample=small_domain),
    Case("random_gamma_grad_edges", paired(lax.random_gamma_grad), [(2, N_EDGES)], sample=_edge_pairs),
]
