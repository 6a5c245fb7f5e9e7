"""Cases for plugins/lax/regularized_incomplete_beta.ts (jax.scipy.special.betainc).

Tolerances, measured against JAX on 4,000 points each: for a, b in [1e-3, 20] the worst float32
error is 1.3e-5 absolute (where 1 - I_{1-x}(b, a) cancels): rtol 1e-5, atol 2e-5. On the edge grid, a = 1e-30 makes log B(a, b) ~ 69,
whose float32 rounding moves exp(...) / a by 1.5e-5 in JAX and here alike: atol 5e-5. For a, b in
[20, 200], JAX's own float32 result is 8e-5 off the exact value (lgamma of ~1e3 carries 3e-4
absolute) and ours 1.5e-4: atol 3e-4. In float64 the same points agree to 4e-14 (a, b <= 20) and
3e-13 (a, b <= 200).

Triples (a, b, x) travel as one [3, n] array, so that an edge grid covers every combination."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy import special as jsp

from jax2onnx_lab import testing

Case = functools.partial(testing.Case, rtol=1e-5, atol=2e-5)
inf, nan = np.inf, np.nan

# a, b: 0 and inf (JAX's limits), tiny, ordinary, negative, NaN; x: both ends, just inside them,
# outside [0, 1], inf and NaN.
EDGE_AB = [0.0, -0.0, 1e-30, 1e-3, 0.5, 1.0, 2.0, 10.0, inf, -1.0, nan]
EDGE_X = [0.0, -0.0, 1e-30, 1e-3, 0.3, 0.5, 0.9, 1 - 1e-6, 1.0, 1.5, -0.5, inf, nan]
N_EDGES = len(EDGE_AB) ** 2 * len(EDGE_X)


def _edge_triples(rng, shape, dtype):
    return np.stack([v.ravel() for v in np.meshgrid(EDGE_AB, EDGE_AB, EDGE_X, indexing="ij")]).astype(dtype)


def _triples(lo, hi):
    """[a, b, x]: a and b log-uniform in [lo, hi], x uniform in [0, 1]."""

    def draw(rng, shape, dtype):
        ab = 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), size=(2, *shape[1:]))
        return np.concatenate([ab, rng.uniform(0, 1, size=(1, *shape[1:]))]).astype(dtype)

    return draw


def _unit(rng, shape, dtype):
    return np.asarray(rng.uniform(0, 1, size=shape)).astype(dtype)


def _positive(rng, shape, dtype):
    return np.asarray(10.0 ** rng.uniform(-1, 1.3, size=shape)).astype(dtype)


def tripled(f):
    return lambda abx: f(abx[0], abx[1], abx[2])


CASES = [
    Case("betainc", tripled(lax.betainc), [(3, 2000)], sample=_triples(1e-3, 20), expect_ops=["Loop"]),
    Case("betainc_edges", tripled(lax.betainc), [(3, N_EDGES)], sample=_edge_triples, atol=5e-5),
    Case("betainc_large", tripled(lax.betainc), [(3, 500)], sample=_triples(20, 200), atol=3e-4),
    Case("betainc_symbolic", lambda a, b, t: jsp.betainc(a, b, t / (1 + t)), [("B", 8)] * 3, sample=_positive),
    Case("betainc_scalar_ab", lambda x: jsp.betainc(2.0, 3.5, x), [(64,)], sample=_unit),
    Case("betainc_rank0", lambda a, b: lax.betainc(a, b, 0.25 * jnp.ones_like(a)), [(), ()], sample=_positive),
    Case("betainc_float16", lambda x: jsp.betainc(jnp.float16(2), jnp.float16(3), x), [jax.ShapeDtypeStruct((4, 8), jnp.float16)], sample=_unit, rtol=1e-3, atol=1e-3),
    # jax.grad in x: the beta density, x^(a-1) (1-x)^(b-1) / B(a, b).
    Case("betainc_grad_x", lambda x: jax.grad(lambda x: jsp.betainc(2.0, 3.0, x).sum())(x), [(5, 6)], sample=_unit),
]
