"""platform_index: the CPU branch of a platform-dependent cond, else its default."""

import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case

CASES = [
    Case("platform_dependent_cpu", lambda x: lax.platform_dependent(x, cuda=jnp.cos, cpu=jnp.sin, default=jnp.tanh), [("B", 3)], expect_ops=["Sin"]),
    Case("platform_dependent_default", lambda x: lax.platform_dependent(x, tpu=jnp.sin, default=jnp.tanh), [(2, 3)], expect_ops=["Tanh"]),
]
