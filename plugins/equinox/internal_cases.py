"""Cases for plugins/equinox/internal.ts: Equinox's internal primitives outside vmap."""

import equinox.internal as eqxi
import jax
import jax.numpy as jnp
from equinox.internal._loop.common import _select_if_vmap

from jax2onnx_lab.testing import Case

CASES = [
    Case("unvmap_any", lambda x: eqxi.unvmap_any(x > 1.0), [("B", 3)]),
    Case("unvmap_all", lambda x: eqxi.unvmap_all(x > -1.0), [("B", 3)]),
    Case("unvmap_max_int", lambda x: eqxi.unvmap_max(x), [jax.ShapeDtypeStruct((2, 5), jnp.int32)]),
    Case("unvmap_max_scalar", lambda x: eqxi.unvmap_max(x * 2.0), [()]),
    Case("nonbatchable", lambda x: eqxi.nonbatchable(jnp.sin(x)), [("B", 2)]),
    Case("select_if_vmap", lambda x, y: _select_if_vmap(jnp.sum(x) > 0, x, y, makes_false_steps=False), [(3,), (3,)]),
]
