"""Cases for plugins/control/cond.ts: lax.cond (If) and lax.switch (a chain of If)."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def _cond(x):
    return lax.cond(jnp.mean(x) > 0, lambda v: jnp.sin(v) * 2.0, lambda v: jnp.cos(v) - 1.0, x)


def _cond_multi(x, y):
    """Several operands and outputs, one branch returning an operand unchanged."""
    return lax.cond(jnp.sum(y) > jnp.sum(x), lambda a, b: (a + b, b), lambda a, b: (a, a * b), x, y)


def _cond_int(x):
    return lax.cond(jnp.sum(x) > 2, lambda v: v * 2 - 7, lambda v: v * 3 + 1, x)


def _switch(k):
    def f(x, i):
        return lax.switch(i, [jnp.sin, jnp.cos, lambda v: v * v, jnp.tanh, lambda v: -v][:k], x)

    return f


CASES = [
    Case("cond_two_branches", _cond, [("B", 3)], expect_ops=["If"]),
    Case("cond_operands_outputs", _cond_multi, [("B", 2), ("B", 2)]),
    Case("cond_int32", _cond_int, [jax.ShapeDtypeStruct((4,), jnp.int32)]),
    Case("cond_const_capture", lambda x: lax.cond(jnp.sum(x) > 0, lambda: jnp.arange(3.0), lambda: jnp.ones(3)), [(3,)]),
]

# lax.switch with 3 and 5 branches on a runtime index, at each index value and out of range
# (JAX clamps the index).
CASES += [
    Case(f"switch_{k}_branches_index_{i}", _switch(k), [("B", 3)], input_params={"i": i}, expect_ops=["If"])
    for k in (3, 5)
    for i in (-1, 0, 1, k - 1, k + 2)
]


def _normalize(x, train):
    """Python control flow on an input_params bool: traced per value, joined with an If."""
    if train:
        return (x - jnp.mean(x, axis=0)) / (jnp.std(x, axis=0) + 1e-3)
    return (x - 0.5) / 2.0


CASES += [
    Case(f"runtime_switch_train_{v}", _normalize, [("B", 3)], input_params={"train": v}, dims=({"B": 2}, {"B": 5}), expect_ops=["If"])
    for v in (True, False)
]
