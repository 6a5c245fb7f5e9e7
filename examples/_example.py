"""What an example is: a model builder, its input specs and how to check it."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping, Sequence


@dataclasses.dataclass(frozen=True)
class Example:
    name: str
    title: str
    # Builds the callable to convert (a module in inference mode, or a function over one).
    build: Callable[[], Callable[..., Any]]
    # Input specs as to_onnx takes them (dim names stay symbolic).
    inputs: Sequence[Any]
    # Sizes for the symbolic dims at which the converted model is compared with JAX.
    dims: Sequence[Mapping[str, int]] = ({},)
    atol: float = 1e-5
    rtol: float = 1e-5
    opset: int | None = None
    # Draws integer inputs (token ids) in range; None: the harness default.
    sample: Callable[..., Any] | None = None
    # A conversion that cannot work yet: the reason the converter gives (a rule still missing).
    waits_on: str | None = None
    # The ONNX functions the graph must call (from @onnx_function).
    functions: Sequence[str] = ()


def randomize_batch_norm(model: Any, seed: int = 1) -> Any:
    """Non-trivial BatchNorm statistics (fresh ones are mean 0 / var 1 and hide mistakes)."""
    import jax.numpy as jnp
    import numpy as np
    from flax import nnx

    rng = np.random.default_rng(seed)
    for _, m in nnx.iter_modules(model):
        if isinstance(m, nnx.BatchNorm):
            n = m.mean.get_value().shape
            m.mean.set_value(jnp.asarray(rng.normal(size=n) * 0.2, dtype="float32"))
            m.var.set_value(jnp.asarray(rng.uniform(0.5, 2.0, size=n), dtype="float32"))
            m.scale.set_value(jnp.asarray(rng.normal(size=n) * 0.5 + 1, dtype="float32"))
            m.bias.set_value(jnp.asarray(rng.normal(size=n) * 0.2, dtype="float32"))
    model.eval()
    return model
