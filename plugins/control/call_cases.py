"""Cases for plugins/control/call.ts: call-like primitives are inlined."""

import jax
import jax.numpy as jnp

from jax2onnx_lab.testing import Case


@jax.jit
def _jitted(x):
    return jnp.tanh(x) * 2.0


@jax.custom_jvp
def _softplus(x):
    return jnp.log1p(jnp.exp(x))


_softplus.defjvp(lambda primals, tangents: (_softplus(primals[0]), tangents[0] * jax.nn.sigmoid(primals[0])))


@jax.custom_vjp
def _clip_gradient(x):
    return jnp.sin(x)


_clip_gradient.defvjp(lambda x: (jnp.sin(x), x), lambda x, g: (jnp.clip(g, -1, 1) * jnp.cos(x),))


@jax.checkpoint
def _remat(x):
    return jnp.exp(-x * x)


CASES = [
    Case("jit", lambda x: _jitted(x) + 1.0, [("B", 5)]),
    Case("nested_jit", jax.jit(lambda x: _jitted(_jitted(x))), [(3, 4)]),
    Case("custom_jvp_relu", jax.nn.relu, [("B", 6)]),
    Case("custom_jvp_user", _softplus, [(4,)]),
    Case("custom_vjp", _clip_gradient, [("B", 3)]),
    Case("checkpoint", _remat, [(2, 3)]),
]
