"""Test cases for lowering rules, declared beside each rule as ``plugins/<group>/<prim>_cases.py``.

    from jax2onnx_lab.testing import Case
    CASES = [
        Case("tanh", jnp.tanh, [("B", 4)]),
        Case("log", jnp.log, [(3, 4)], sample=positive),
    ]

The test suite converts every case, checks it with ``onnx.checker`` (full check), runs it in
onnxruntime and onnxruntime-web, and compares with JAX at each entry of ``dims``.

Every case with a float32 or complex64 input (a shape tuple or a ``jax.ShapeDtypeStruct``) also runs
as a float64 twin (``<name>_f64``, see ``float64_twin``): under ``jax_enable_x64``, converted with
``enable_double_precision=True``, compared at ``rtol64``/``atol64``. ``float64=False`` opts a case
out (say why beside it); ``x64=True`` runs a hand-written case under ``jax_enable_x64`` only.
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
    # Run under jax_enable_x64, converted with enable_double_precision=True.
    x64: bool = False
    # Whether a float64 twin runs too (None: when an input is float32).
    float64: bool | None = None
    # Tolerances of the float64 twin: float64 keeps ~1e-16 per op; sums in another order than
    # XLA's and transcendental functions of another library move results by a few ulps.
    rtol64: float = 1e-12
    atol64: float = 1e-12
    # ONNX ops the float64 twin must contain (float64 paths differ where onnxruntime has no
    # float64 kernel: src/core/lower/kernel-gaps.ts).
    expect_ops64: Sequence[str] = ()


_DOUBLE = {np.dtype(np.float32): np.dtype(np.float64), np.dtype(np.complex64): np.dtype(np.complex128)}


def _is_single_precision_spec(spec: Any) -> bool:
    if hasattr(spec, "shape") and hasattr(spec, "dtype"):
        return np.dtype(spec.dtype) in _DOUBLE
    return isinstance(spec, (tuple, list))


def float64_twin(case: Case) -> Case | None:
    """The case again in float64: float32 (complex64) inputs become float64 (complex128) and it
    runs under x64."""
    wanted = case.float64 if case.float64 is not None else any(_is_single_precision_spec(s) for s in case.inputs)
    if not wanted or case.x64:
        return None
    import jax

    inputs = [jax.ShapeDtypeStruct(s.shape, _DOUBLE[np.dtype(s.dtype)]) if hasattr(s, "dtype") and np.dtype(s.dtype) in _DOUBLE else s for s in case.inputs]
    return dataclasses.replace(case, name=f"{case.name}_f64", inputs=inputs, x64=True, rtol=case.rtol64, atol=case.atol64, float64=False, expect_ops=case.expect_ops64)


def positive(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Inputs in (0.1, 3): for log, sqrt, rsqrt and friends."""
    return rng.uniform(0.1, 3.0, size=shape).astype(dtype)


def unit_interval(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Inputs in (-0.9, 0.9): for asin, atanh and friends."""
    return rng.uniform(-0.9, 0.9, size=shape).astype(dtype)


def at_least_one(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Inputs in (1.1, 4): for acosh."""
    return rng.uniform(1.1, 4.0, size=shape).astype(dtype)


def all_dtypes(sampler: Sampler) -> Sampler:
    """Marks `sampler` as drawing integer and bool inputs too (samplers draw floats only by default)."""
    sampler.all_dtypes = True  # type: ignore[attr-defined]
    return sampler


@all_dtypes
def edge_values(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Ordinary values with the edges mixed in: NaN, +-inf, +-0, the largest and smallest
    (subnormal) floats for floats; the type's min and max, 0 and +-1 for integers."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        special = np.array([info.min, info.max, 0, 1, info.max - 1, info.min + 1] + ([-1] if info.min < 0 else []), dtype=np.float64)
        plain = rng.integers(max(info.min, -100), min(info.max, 100) + 1, size=shape)
    else:
        info = np.finfo(dtype)
        special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, float(info.max), -float(info.max), float(info.smallest_subnormal), -float(info.smallest_subnormal), float(info.tiny), 1.0, -1.0])
        plain = rng.standard_normal(shape) * 10
    pick = rng.random(shape) < 0.4
    out = np.where(pick, special[rng.integers(0, special.size, size=shape)], plain)
    return np.asarray(out).astype(dtype)


def without_subnormals(sampler: Sampler) -> Sampler:
    """`sampler` with subnormal floats replaced by 0. XLA on CPU treats subnormal inputs as zero in
    arithmetic and comparisons (1e-45 != 0 is False under jit; cbrt(1e-45) comes out negative),
    onnxruntime computes with them: cases whose result depends on that use this."""

    def draw(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        x = sampler(rng, shape, dtype)
        if not np.issubdtype(x.dtype, np.floating):
            return x
        tiny = np.finfo(x.dtype).tiny
        return np.where((np.abs(x) < tiny) & (x != 0), np.zeros_like(x), x).astype(x.dtype)

    if getattr(sampler, "all_dtypes", False):
        draw = all_dtypes(draw)
    return draw
