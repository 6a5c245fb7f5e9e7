"""Parity: does the ONNX model compute what the JAX callable computes?"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, Mapping, Sequence

import jax
import numpy as np

from ._dim_expr import eval_dim
from ._inputs import DEFAULT_DTYPE
from ._tolerance import default_tolerance

DEFAULT_DIM = 3


def resolve_shape(shape: Sequence[Any], dims: Mapping[str, int]) -> tuple[int, ...]:
    """Concrete sizes for a spec's shape: ints as they are, dim names/expressions from `dims`
    (names it does not give are DEFAULT_DIM)."""
    out = []
    for d in shape:
        if isinstance(d, (int, np.integer)):
            out.append(int(d))
        else:
            out.append(eval_dim(str(d), dims, default=DEFAULT_DIM))
    return tuple(out)


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


@dataclasses.dataclass(frozen=True)
class OutputParity:
    """One output of a parity check: errors, non-finite counts, the tolerance used, the verdict."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    rtol: float
    atol: float
    ok: bool
    # None when the output has no elements, or no element is finite in both.
    max_abs: float | None = None
    max_rel: float | None = None
    # Elements outside the tolerance, plus NaN/Inf that the other side does not have at that place.
    mismatches: int = 0
    size: int = 0
    # Non-finite values, per side: reported, never compared away (they must sit at the same places).
    nan: tuple[int, int] = (0, 0)  # (JAX, ONNX)
    posinf: tuple[int, int] = (0, 0)
    neginf: tuple[int, int] = (0, 0)
    # Set when the output cannot be compared at all (shape or dtype differ).
    problem: str | None = None

    def nonfinite_text(self) -> str:
        parts = []
        for label, (e, a) in (("NaN", self.nan), ("+Inf", self.posinf), ("-Inf", self.neginf)):
            if e or a:
                parts.append(f"{label} {e} in JAX / {a} in ONNX" if e != a else f"{e} {label}")
        return ", ".join(parts)

    def line(self) -> str:
        if self.problem:
            return f"{self.name}: {self.problem}  MISMATCH"
        head = f"{self.name} {self.dtype}{list(self.shape)}"
        tol = f"(rtol {self.rtol:g}, atol {self.atol:g})"
        if self.size == 0:
            return f"{head}: empty, ok"
        errors = "no finite elements to compare" if self.max_abs is None else f"max abs err {self.max_abs:.3g}, max rel err {self.max_rel:.3g}"
        nonfinite = self.nonfinite_text()
        verdict = "ok" if self.ok else f"MISMATCH ({self.mismatches} of {self.size} elements)"
        return f"{head}: {errors} {tol}{'; ' + nonfinite if nonfinite else ''}: {verdict}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class ParityReport:
    ok: bool
    outputs: list[OutputParity]
    # Set when ONNX and JAX have different numbers of outputs.
    problem: str | None = None

    def text(self) -> str:
        return "\n".join(([self.problem] if self.problem else []) + [o.line() for o in self.outputs])

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problem": self.problem, "outputs": [o.to_dict() for o in self.outputs]}


def _counts(x: np.ndarray) -> tuple[int, int, int]:
    return int(np.isnan(x).sum()), int(np.isposinf(x).sum()), int(np.isneginf(x).sum())


def compare_output(name: str, expected: Any, actual: Any, *, rtol: float | None = None, atol: float | None = None) -> OutputParity:
    """Compares one output; `rtol`/`atol` default to the expected dtype's row in _tolerance."""
    # Complex JAX outputs are compared in the converter's pair form (docs/complex.md): the real
    # and imaginary parts each, with the part's dtype row.
    e, a = complex_to_pairs(expected), np.asarray(actual)
    if rtol is None or atol is None:
        default_rtol, default_atol = default_tolerance(e.dtype)
        rtol = default_rtol if rtol is None else rtol
        atol = default_atol if atol is None else atol
    base = {"name": name, "dtype": e.dtype.name, "shape": tuple(e.shape), "rtol": rtol, "atol": atol, "size": int(e.size)}
    if e.shape != a.shape or e.dtype != a.dtype:
        return OutputParity(**base, ok=False, problem=f"ONNX gives {a.dtype}{list(a.shape)} but JAX {e.dtype}{list(e.shape)}")
    if e.size == 0:
        return OutputParity(**base, ok=True)
    ef, af = e.astype(np.float64), a.astype(np.float64)
    (en, ep, eneg), (an, ap, aneg) = _counts(ef), _counts(af)
    finite = np.isfinite(ef) & np.isfinite(af)
    # A NaN or an infinity matches only the same value at the same place on the other side.
    same_nonfinite = (np.isnan(ef) & np.isnan(af)) | (np.isinf(ef) & (ef == af))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(finite, np.abs(af - ef), 0.0)
    within = finite & (diff <= atol + rtol * np.abs(np.where(finite, ef, 0.0)))
    good = within | same_nonfinite
    mismatches = int(good.size - np.count_nonzero(good))
    max_abs = max_rel = None
    if finite.any():
        max_abs = float(diff[finite].max())
        rel = diff[finite] / np.maximum(np.abs(ef[finite]), np.finfo(np.float64).tiny)
        max_rel = float(rel.max())
    return OutputParity(
        **base,
        ok=mismatches == 0,
        max_abs=max_abs,
        max_rel=max_rel,
        mismatches=mismatches,
        nan=(en, an),
        posinf=(ep, ap),
        neginf=(eneg, aneg),
    )


def compare_outputs(
    expected: Sequence[Any],
    actual: Sequence[Any],
    *,
    rtol: float | None = None,
    atol: float | None = None,
    names: Sequence[str] | None = None,
) -> ParityReport:
    """Per output: same shape and dtype, and every element within tolerance (per-dtype defaults)."""
    names = list(names) if names is not None else [f"out_{i}" for i in range(max(len(expected), len(actual)))]
    outputs = [compare_output(n, e, a, rtol=rtol, atol=atol) for n, e, a in zip(names, expected, actual)]
    problem = None if len(expected) == len(actual) else f"ONNX has {len(actual)} outputs, JAX has {len(expected)}  MISMATCH"
    return ParityReport(ok=problem is None and all(o.ok for o in outputs), outputs=outputs, problem=problem)


def compare(expected: Sequence[Any], actual: Sequence[Any], *, rtol: float | None = None, atol: float | None = None) -> tuple[bool, list[str]]:
    """`compare_outputs` as ``(ok, one line per output)``."""
    report = compare_outputs(expected, actual, rtol=rtol, atol=atol)
    return report.ok, report.text().splitlines()


def check_parity(
    fn: Callable[..., Any],
    model: Any,
    inputs: Sequence[Any],
    *,
    input_params: Mapping[str, Any] | None = None,
    dims: Mapping[str, int] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
    enable_double_precision: bool | None = None,
) -> ParityReport:
    """Runs `fn` in JAX and `model` in onnxruntime on the same random inputs; the structured report."""
    from ._capture import precision_context

    with precision_context(enable_double_precision):
        xs = sample_inputs(inputs, dims, seed, np.float64 if enable_double_precision else DEFAULT_DTYPE)
        params = {k: np.asarray(v, dtype=jax.dtypes.canonicalize_dtype(np.asarray(v).dtype)) for k, v in (input_params or {}).items()}
        expected = [np.asarray(x) for x in jax.tree_util.tree_leaves(fn(*xs, **params))]
    actual = run_onnxruntime(model, [*xs, *params.values()])
    return compare_outputs(expected, actual, rtol=rtol, atol=atol)


def allclose(
    fn: Callable[..., Any],
    model: Any,
    inputs: Sequence[Any],
    *,
    input_params: Mapping[str, Any] | None = None,
    dims: Mapping[str, int] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
    enable_double_precision: bool | None = None,
) -> tuple[bool, str]:
    """Runs `fn` in JAX and `model` in onnxruntime on the same random inputs and compares.

    `inputs` are the specs given to ``to_onnx``; dim names take their sizes from `dims`
    (default 3). `model` is an ``onnx.ModelProto``, bytes, or a path. Pass the
    ``enable_double_precision`` the model was converted with. `rtol`/`atol` default to each
    output dtype's row in ``jax2onnx_lab._tolerance.DEFAULT_TOLERANCES`` (float32: 1e-5;
    integers and bool exact). NaN and infinities must appear at the same places on both sides
    and are counted in the report. Returns ``(ok, report)``, one line per output.
    """
    report = check_parity(
        fn, model, inputs, input_params=input_params, dims=dims, rtol=rtol, atol=atol, seed=seed, enable_double_precision=enable_double_precision
    )
    return report.ok, report.text()


__all__ = [
    "allclose", "check_parity", "compare", "compare_output", "compare_outputs", "complex_to_pairs", "pairs_to_complex",
    "OutputParity", "ParityReport", "run_onnxruntime", "sample_inputs", "resolve_shape",
]
