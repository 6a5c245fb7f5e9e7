"""Parity: does the ONNX model compute what the JAX callable computes?"""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping, Sequence

import jax
import numpy as np

from ._inputs import DEFAULT_DTYPE

DEFAULT_DIM = 3


def resolve_shape(shape: Sequence[Any], dims: Mapping[str, int]) -> tuple[int, ...]:
    """Concrete sizes for a spec's shape: ints as they are, dim names/expressions from `dims`."""
    env = {"floordiv": lambda a, b: a // b, "mod": lambda a, b: a % b, "max": max, "min": min, "non_negative": lambda a: max(a, 0)}
    out = []
    for d in shape:
        if isinstance(d, (int, np.integer)):
            out.append(int(d))
            continue
        text = str(d).replace("^", "**")
        names = {n: dims.get(n, DEFAULT_DIM) for n in _identifiers(text) if n not in env}
        out.append(int(eval(text, {"__builtins__": {}}, {**env, **names})))  # noqa: S307 - user's own dim text
    return tuple(out)


def _identifiers(text: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)


def spec_shape_dtype(spec: Any, default_dtype: Any = DEFAULT_DTYPE) -> tuple[tuple[Any, ...], np.dtype]:
    if hasattr(spec, "shape") and hasattr(spec, "dtype"):
        return tuple(spec.shape), np.dtype(spec.dtype)
    return tuple(spec), np.dtype(default_dtype)


def complex_to_pairs(x: Any) -> np.ndarray:
    """A complex array as the converter's real form (docs/complex.md): complex64[...] ->
    float32[..., 2] holding (real, imag); other arrays unchanged."""
    x = np.asarray(x)
    if not np.iscomplexobj(x):
        return x
    part = np.float32 if x.dtype == np.complex64 else np.float64
    return np.ascontiguousarray(x).view(part).reshape(*x.shape, 2)


def pairs_to_complex(x: Any) -> np.ndarray:
    """The inverse of complex_to_pairs: float32[..., 2] -> complex64[...]."""
    x = np.ascontiguousarray(x)
    if x.shape[-1:] != (2,):
        raise ValueError(f"complex pairs need a trailing dimension of 2, got shape {x.shape}")
    return x.view(np.complex64 if x.dtype == np.float32 else np.complex128).reshape(x.shape[:-1])


def random_array(shape: tuple[int, ...], dtype: np.dtype, rng: np.random.Generator) -> np.ndarray:
    """Always an ndarray, also for shape () (numpy draws a scalar there, which onnxruntime refuses)."""
    if dtype == np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.asarray(rng.integers(max(info.min, -5), min(info.max, 5) + 1, size=shape), dtype=dtype)
    if np.issubdtype(dtype, np.complexfloating):
        return np.asarray(rng.standard_normal(shape) + 1j * rng.standard_normal(shape), dtype=dtype)
    return np.asarray(rng.standard_normal(shape), dtype=dtype)


def sample_inputs(inputs: Sequence[Any], dims: Mapping[str, int] | None = None, seed: int = 0, default_dtype: Any = DEFAULT_DTYPE) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for spec in inputs:
        shape, dtype = spec_shape_dtype(spec, default_dtype)
        out.append(random_array(resolve_shape(shape, dims or {}), dtype, rng))
    return out


def run_onnxruntime(model: Any, feeds: Mapping[str, np.ndarray] | Sequence[np.ndarray]) -> list[np.ndarray]:
    """Runs `model` on the CPU provider; `feeds` by name, or in the graph's input order.
    Complex feeds are passed in the converter's pair form."""
    import onnxruntime as ort

    if isinstance(model, (str, os.PathLike)):
        source: Any = os.fspath(model)
    elif isinstance(model, (bytes, bytearray)):
        source = bytes(model)
    else:
        source = model.SerializeToString()
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
    named = feeds if isinstance(feeds, Mapping) else dict(zip([i.name for i in session.get_inputs()], feeds))
    return session.run(None, {k: complex_to_pairs(v) for k, v in named.items()})


def compare(expected: Sequence[Any], actual: Sequence[Any], *, rtol: float, atol: float) -> tuple[bool, list[str]]:
    """Per output: shape and dtype match and |a - e| <= atol + rtol * |e| elementwise. Complex
    JAX outputs are compared in the converter's pair form (real and imaginary part each)."""
    ok = len(expected) == len(actual)
    lines = [] if ok else [f"{len(actual)} outputs, JAX has {len(expected)}"]
    for i, (e, a) in enumerate(zip(expected, actual)):
        e, a = complex_to_pairs(e), np.asarray(a)
        if e.shape != a.shape or e.dtype != a.dtype:
            ok = False
            lines.append(f"out_{i}: ONNX {a.dtype}{list(a.shape)} but JAX {e.dtype}{list(e.shape)}")
            continue
        if e.size == 0:
            lines.append(f"out_{i}: empty, ok")
            continue
        ef, af = e.astype(np.float64), a.astype(np.float64)
        with np.errstate(invalid="ignore"):  # inf - inf: handled just below
            diff = np.abs(af - ef)
        same_nan = np.isnan(ef) & np.isnan(af)
        same_inf = np.isinf(ef) & (ef == af)
        diff = np.where(same_nan | same_inf, 0.0, diff)
        max_abs = float(np.nanmax(np.where(np.isnan(diff), np.inf, diff)))
        rel = diff / np.maximum(np.abs(ef), np.finfo(np.float64).tiny)
        max_rel = float(np.max(np.where(np.isnan(rel), np.inf, rel)))
        good = bool(np.all(diff <= atol + rtol * np.abs(np.where(np.isfinite(ef), ef, 0.0))))
        ok = ok and good
        lines.append(f"out_{i}: max abs err {max_abs:.3g}, max rel err {max_rel:.3g}{'' if good else '  MISMATCH'}")
    return ok, lines


def allclose(
    fn: Callable[..., Any],
    model: Any,
    inputs: Sequence[Any],
    *,
    input_params: Mapping[str, Any] | None = None,
    dims: Mapping[str, int] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    seed: int = 0,
    enable_double_precision: bool | None = None,
) -> tuple[bool, str]:
    """Runs `fn` in JAX and `model` in onnxruntime on the same random inputs and compares.

    `inputs` are the specs given to ``to_onnx``; dim names take their sizes from `dims`
    (default 3). `model` is an ``onnx.ModelProto``, bytes, or a path. Pass the
    ``enable_double_precision`` the model was converted with. Returns ``(ok, report)``.
    """
    from ._capture import precision_context

    with precision_context(enable_double_precision):
        xs = sample_inputs(inputs, dims, seed, np.float64 if enable_double_precision else DEFAULT_DTYPE)
        params = {k: np.asarray(v, dtype=jax.dtypes.canonicalize_dtype(np.asarray(v).dtype)) for k, v in (input_params or {}).items()}
        expected = [np.asarray(x) for x in jax.tree_util.tree_leaves(fn(*xs, **params))]
    actual = run_onnxruntime(model, [*xs, *params.values()])
    ok, lines = compare(expected, actual, rtol=rtol, atol=atol)
    return ok, "\n".join(lines)


__all__ = ["allclose", "compare", "complex_to_pairs", "pairs_to_complex", "run_onnxruntime", "sample_inputs", "resolve_shape"]
