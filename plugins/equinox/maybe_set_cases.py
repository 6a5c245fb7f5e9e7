"""Cases for plugins/equinox/maybe_set.ts: eqxi.while_loop's buffer writes (xs.at[i].set(x))."""

import equinox.internal as eqxi
import jax
import jax.numpy as jnp
from equinox.internal._loop.common import _maybe_set

from jax2onnx_lab.testing import Case


def _set(i, makes_false_steps=False):
    def f(xs, x):
        return _maybe_set(jnp.sum(x) > 0, xs, x, jnp.int32(i), kwargs={}, makes_false_steps=makes_false_steps)

    return f


def _buffered_loop(x):
    """eqxi.while_loop with a buffer (checkpointed, as Diffrax saves its outputs): maybe_set in a Loop."""

    def cond(carry):
        return carry[0] < 5

    def body(carry):
        step, value, out = carry
        value = value * 0.5 + 1.0
        return step + 1, value, out.at[step].set(value)

    init = (jnp.int32(0), x, jnp.zeros((5, *x.shape), x.dtype))
    return eqxi.while_loop(cond, body, init, max_steps=8, kind="checkpointed", buffers=lambda c: c[2])[2]


CASES = [
    Case("maybe_set_row", _set(2), [(4, 3), (3,)]),
    Case("maybe_set_negative_index", _set(-1), [(4, 3), (3,)]),
    Case("maybe_set_out_of_bounds_drops", _set(9), [(4,), ()]),
    Case("maybe_set_makes_false_steps", _set(1, True), [(4, 2), (2,)]),
    Case("maybe_set_in_eqxi_while_loop", _buffered_loop, [(3,)], expect_ops=["Loop"]),
]
