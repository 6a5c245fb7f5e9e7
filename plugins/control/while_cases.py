"""Cases for plugins/control/while.ts: lax.while_loop, fori_loop with traced bounds, nesting."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case, positive


def _newton_sqrt(a):
    """Newton's iteration for sqrt(a) until every element converges: a data-dependent trip count."""

    def cond(state):
        x, step = state
        return jnp.logical_and(jnp.max(jnp.abs(x * x - a)) > 1e-5 * jnp.max(a), step < 50)

    def body(state):
        x, step = state
        return 0.5 * (x + a / x), step + 1

    x, steps = lax.while_loop(cond, body, (jnp.maximum(a, 1.0), jnp.int32(0)))
    return x, steps


def _doubling(x):
    """Doubles until past 100: the trip count depends on the input's value."""
    return lax.while_loop(lambda c: jnp.sum(jnp.abs(c)) < 100.0, lambda c: c * 2.0, x)


def _fori_traced(x, n):
    return lax.fori_loop(0, n, lambda i, c: c + jnp.cos(c) * 0.5, x)


def _scan_in_while_in_cond(x):
    """Nested: a scan inside a while inside a cond."""

    def inner(c):
        return lax.scan(lambda s, _: (s * 0.5 + 1.0, None), c, None, length=3)[0]

    def looped(v):
        return lax.while_loop(lambda s: s[1] < 4, lambda s: (inner(s[0]), s[1] + 1), (v, 0))[0]

    return lax.cond(jnp.sum(x) > 0, looped, lambda v: -v, x)


def _consts_in_bodies(x):
    w = jnp.arange(3, dtype=jnp.float32) / 3.0
    limit = jnp.float32(5.0)
    return lax.while_loop(lambda c: jnp.sum(c) < limit * 3, lambda c: c + w + 0.1, x)


CASES = [
    Case("while_newton_sqrt", _newton_sqrt, [("B", 4)], sample=positive, expect_ops=["Loop"]),
    Case("while_doubling", _doubling, [(3,)], expect_ops=["Loop"]),
    Case("while_fori_traced_bounds", _fori_traced, [("B", 2)], input_params={"n": 7}),
    Case("while_nested_scan_in_while_in_cond", _scan_in_while_in_cond, [(2, 3)], expect_ops=["If"]),
    Case("while_consts", _consts_in_bodies, [(3,)]),
    Case("while_int_counter", lambda n: lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 3 % 1000), (jnp.int32(0), jnp.int32(1))), [jax.ShapeDtypeStruct((), jnp.int32)], sample=None),
]
