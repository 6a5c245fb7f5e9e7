"""What the bench converts: its own models (bench/models.py) and every example of the catalog
(examples/), seen the same way by measure.py, ort_latency.py and both venvs.

A subject is a callable, the input specs both converters receive, the abstract values
`jax.make_jaxpr` traces the same callable on (their common floor), and concrete inputs drawn
once for the parity check and the onnxruntime latency. Depends on jax, flax and numpy only (the
reference venv has no jax2onnx_lab: examples that import our `onnx_function` get the
reference's own through a stand-in module, installed by `install_reference_stand_in`).
"""

from __future__ import annotations

import dataclasses
import sys
import types
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PREFIX = "example:"


@dataclasses.dataclass(frozen=True)
class Subject:
    name: str
    title: str
    build: Callable[[], Callable[..., Any]]
    # Input specs as both converters' to_onnx takes them: tuples of dims ("B" symbolic) or ShapeDtypeStructs.
    inputs: Sequence[Any]
    # Sizes of the symbolic dims for the parity check and the latency run.
    dims: Mapping[str, int]
    atol: float
    rtol: float
    # Draws an integer input (token ids) in range: (rng, shape, dtype) -> array; None: normal floats.
    sample: Callable[..., Any] | None = None
    warm_runs: int = 10
    first_runs: int = 3
    ort_rounds: int = 50
    opset: int | None = None
    # The bench's wide models sum thousands of float32 products per output: their atol is relative
    # to the largest output (as before); the examples use allclose at their own tolerances.
    scale_atol: bool = False


def install_reference_stand_in() -> None:
    """Examples import `jax2onnx_lab.onnx_function`; in the reference venv that is jax2onnx's own."""
    try:
        import jax2onnx_lab  # noqa: F401
    except ImportError:
        import jax2onnx

        stand_in = types.ModuleType("jax2onnx_lab")
        stand_in.onnx_function = jax2onnx.onnx_function  # type: ignore[attr-defined]
        sys.modules["jax2onnx_lab"] = stand_in


def _bench_models() -> dict[str, Subject]:
    import models

    out = {}
    for name, m in models.MODELS.items():
        out[name] = Subject(
            name, m.title, lambda n=name: models.build_eval(n), m.inputs, {"B": m.batch}, m.atol, 0.0,
            warm_runs=m.warm_runs, first_runs=m.first_runs, ort_rounds=m.ort_rounds, scale_atol=True,
        )  # fmt: skip
    return out


def _catalog() -> dict[str, Subject]:
    install_reference_stand_in()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from examples import CATALOG

    return {
        EXAMPLE_PREFIX + ex.name: Subject(
            EXAMPLE_PREFIX + ex.name, ex.title, ex.build, ex.inputs, dict(ex.dims[-1]), ex.atol, ex.rtol, ex.sample, warm_runs=10, first_runs=1, opset=ex.opset
        )
        for ex in CATALOG
        if not ex.waits_on
    }


def names(include_examples: bool = True) -> list[str]:
    import models

    out = list(models.MODELS)
    if include_examples:
        out += list(_catalog())
    return out


def get(name: str) -> Subject:
    return (_catalog() if name.startswith(EXAMPLE_PREFIX) else _bench_models())[name]


def _spec_shape_dtype(spec: Any) -> tuple[tuple[Any, ...], np.dtype]:
    if hasattr(spec, "shape") and hasattr(spec, "dtype"):
        return tuple(spec.shape), np.dtype(spec.dtype)
    return tuple(spec), np.dtype("float32")


def abstract_inputs(subject: Subject) -> list[Any]:
    """The specs as ShapeDtypeStructs, symbolic dims in one scope (equal names are one dim)."""
    import jax
    from jax import export as jax_export

    shapes = [_spec_shape_dtype(s) for s in subject.inputs]
    texts = [str(d) for shape, _ in shapes for d in shape]  # "B", "T", 28: one text, one scope
    dims = iter(jax_export.symbolic_shape(", ".join(texts)) if texts else ())
    # Rebuilt even from a ShapeDtypeStruct: an example may make its dims in separate scopes.
    return [jax.ShapeDtypeStruct(tuple(next(dims) for _ in shape), dtype) for shape, dtype in shapes]


def concrete_inputs(subject: Subject) -> list[np.ndarray]:
    """One draw of the inputs at subject.dims, the same in every process (seeded)."""
    rng = np.random.default_rng(0)
    out = []
    for spec in subject.inputs:
        shape, dtype = _spec_shape_dtype(spec)
        concrete = tuple(int(d) if isinstance(d, int) else subject.dims[str(d)] for d in shape)
        if np.issubdtype(dtype, np.integer) and subject.sample is not None:
            out.append(np.asarray(subject.sample(rng, concrete, dtype)))
        elif np.issubdtype(dtype, np.integer):
            out.append(rng.integers(0, 8, size=concrete).astype(dtype))
        else:
            out.append(np.asarray(rng.standard_normal(concrete), dtype=dtype))
    return out


def parameter_count(model: Any) -> int | None:
    """Trainable parameters of a Flax NNX module, else the array leaves of a pytree (Equinox)."""
    import jax
    from flax import nnx

    if isinstance(model, nnx.Module):
        return int(sum(x.size for x in jax.tree_util.tree_leaves(nnx.state(model, nnx.Param))))
    leaves = [x for x in jax.tree_util.tree_leaves(model) if hasattr(x, "size") and hasattr(x, "dtype")]
    return int(sum(x.size for x in leaves)) if leaves else None
