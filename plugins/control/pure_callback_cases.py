"""Cases for plugins/control/pure_callback.ts: eqx.error_if, which ONNX cannot raise."""

import equinox as eqx
import jax.numpy as jnp

from jax2onnx_lab.testing import Case, positive


def _checked_sqrt(x):
    return jnp.sqrt(eqx.error_if(x, x < 0, "x must be non-negative"))


CASES = [
    # Passing checks: the model computes what JAX does (a failing one gives NaN: python/tests/test_control_flow.py).
    Case("error_if_passes", _checked_sqrt, [("B", 3)], sample=positive, expect_ops=["If"]),
]
