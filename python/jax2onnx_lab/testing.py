"""Test cases for lowering rules, declared beside each rule as ``plugins/<group>/<prim>_cases.py``.

    from jax2onnx_lab.testing import Case
    CASES = [
        Case("tanh", jnp.tanh, [("B", 4)]),
        Case("log", jnp.log, [(3, 4)], sample=positive),
    ]

The test suite converts every case, checks it with ``onnx.checker`` (full check), runs it in
onnxruntime and onnxruntime-web, and compares with JAX at each entry of ``dims``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping, Sequence

import numpy as np

Sampler = Callable[[np.random.Generator, tuple[int, ...], np.dtype], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[..., Any]
    inputs: Sequence[Any]
    input_params: Mapping[str, Any] | None = None
    # Sizes for the symbolic dims; the model is converted once and run at each.
    dims: Sequence[Mapping[str, int]] = ({"B": 1}, {"B": 3})
    rtol: float = 1e-5
    atol: float = 1e-5
    # Draws inputs (default: standard normal floats, small ints, random bools).
    sample: Sampler | None = None
    opset: int | None = None
    # ONNX ops the converted graph must contain (pins a lowering path, e.g. a fast path).
    expect_ops: Sequence[str] = ()


def positive(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Inputs in (0.1, 3): for log, sqrt, rsqrt and friends."""
    return rng.uniform(0.1, 3.0, size=shape).astype(dtype)


def unit_interval(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Inputs in (-0.9, 0.9): for asin, atanh and friends."""
    return rng.uniform(-0.9, 0.9, size=shape).astype(dtype)


def at_least_one(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Inputs in (1.1, 4): for acosh."""
    return rng.uniform(1.1, 4.0, size=shape).astype(dtype)
