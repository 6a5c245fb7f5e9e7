"""Tracing a user's callable into a capture: jaxpr + names + weights, ready to convert."""

from __future__ import annotations

import dataclasses
import functools
import os
from typing import Any, Callable, Mapping, Sequence

import jax
import numpy as np
from jax.extend import core as jex_core

from . import __version__
from ._errors import ConversionError
from ._inputs import input_specs, param_specs
from ._interchange import CaptureError, CaptureWriter, container_parts, is_library_file, write_container
from ._keys import physicalize_keys
from ._modules import module_scopes, root_module, weight_names
from ._runtime_checks import warn_dropped_checks
from ._switches import CONCRETIZATION_ERRORS, flat_program, trace_with_switches

# Buffers up to this size travel with the header (the converter can read and fold them);
# bigger ones stay with the host, which writes them into the ONNX file itself.
DEFAULT_INLINE_LIMIT = 4096


@dataclasses.dataclass
class Capture:
    """A traced program in interchange form: a JSON header and its buffers."""

    header: dict[str, Any]
    buffers: list[np.ndarray]
    storage: list[str]
    closed_jaxpr: Any

    def parts(self, *, all_inline: bool = False) -> list[bytes | memoryview]:
        """The container's bytes as parts; with `all_inline`, host buffers are included too."""
        header, arrays = self._layout(all_inline)
        return container_parts(header, arrays)

    def save(self, path: str) -> None:
        """Writes a self-contained capture file (all buffers inline), for the Node CLI."""
        header, arrays = self._layout(True)
        with open(path, "wb") as f:
            write_container(f, header, arrays)

    def _layout(self, all_inline: bool) -> tuple[dict[str, Any], list[np.ndarray]]:
        if not all_inline:
            return self.header, [a for a, s in zip(self.buffers, self.storage) if s == "inline"]
        header = {**self.header, "buffers": [{**b, "storage": "inline"} for b in self.header["buffers"]]}
        return header, list(self.buffers)


def _default_name(fn: Callable[..., Any]) -> str:
    target = fn.func if isinstance(fn, functools.partial) else fn
    name = getattr(target, "__name__", None) or type(target).__name__
    return "model" if name == "<lambda>" else name


def _drop_dead_code(closed: Any) -> Any:
    """The program without eqns whose results reach no output (JAX's own dead-code elimination,
    loop and branch bodies included; every input stays). Linen's nn.RNN makes PRNG keys for a
    carry initialiser that ignores them, and an eval-mode Dropout still splits its key: such keys
    never reach an output and must not stop the conversion."""
    from jax._src.interpreters import partial_eval as pe

    jaxpr, _ = pe.dce_jaxpr(closed.jaxpr, [True] * len(closed.jaxpr.outvars), instantiate=True)
    return jex_core.ClosedJaxpr(jaxpr, closed.consts)


def _user_line(writer: CaptureWriter, e: Any) -> str | None:
    """The eqn's line in the user's code, or None when all its frames are in libraries."""
    src = writer.source(e.source_info).get("src")
    if not src or is_library_file(writer.files[src["file"]]):
        return None
    # Relative to the working directory when inside it, as node metadata is.
    path = writer.files[src["file"]]
    here = os.getcwd() + os.sep
    return f"{path[len(here):] if path.startswith(here) else path}:{src['line']} ({src['fn']})"


def _where(writer: CaptureWriter, e: Any) -> str:
    src = writer.source(e.source_info).get("src")
    return f"{writer.files[src['file']]}:{src['line']} ({src['fn']})" if src else "<unknown source>"


def _check_dtypes(closed: Any) -> None:
    """Extended dtypes (PRNG keys) cannot go into ONNX; say where they come from."""
    bad = []

    def walk(jaxpr: Any) -> None:
        for e in jaxpr.eqns:
            for v in e.outvars:
                if not isinstance(getattr(v.aval, "dtype", None), np.dtype):
                    bad.append(e)
                    break
            for p in e.params.values():
                for sub in p if isinstance(p, (tuple, list)) else (p,):
                    inner = getattr(sub, "jaxpr", None)
                    if inner is not None and hasattr(inner, "eqns"):
                        walk(inner)

    walk(closed.jaxpr)
    if bad:
        writer = CaptureWriter()
        lines = []
        for e in bad[:5]:
            lines.append(f"  {e.primitive.name} -> {', '.join(str(v.aval) for v in e.outvars)}  at {_where(writer, e)}")
        raise ConversionError(
            "Cannot convert: the program makes PRNG keys or other non-numeric values, which ONNX cannot hold:\n"
            + "\n".join(lines)
            + "\nThese usually come from Dropout or other random layers in training mode: call model.eval() (Flax NNX), "
            "pass deterministic=True, or use eqx.nn.inference_mode(model) before converting.",
            kind="capture_failed",
        )


def capture(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    input_params: dict[str, Any] | None = None,
    model_name: str | None = None,
    opset: int | None = None,
    inline_limit: int | None = DEFAULT_INLINE_LIMIT,
) -> Capture:
    """Traces `fn` on `inputs` (shapes with dim names like "B") into a capture."""
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    specs = input_specs(inputs)
    params = param_specs(input_params)
    names = [f"in_{i}" for i in range(len(specs))] + list(params)
    param_names = list(params)

    root = root_module(fn)

    def trace(static: Mapping[str, Any], switches: Sequence[str]) -> Any:
        with module_scopes(root):
            return jax.make_jaxpr(flat_program(fn, len(specs), param_names, static, switches))(*specs, *params.values())

    try:
        closed = trace_with_switches(trace, dict(input_params or {}))
    except Exception as e:
        if type(e).__name__ == "TraceContextError":
            raise ConversionError(
                f"Cannot trace {_default_name(fn)}: the model changes its own state while it runs "
                "(BatchNorm updating batch statistics or Dropout drawing random numbers: training mode). "
                "Call model.eval() (Flax NNX) or use eqx.nn.inference_mode(model) before converting.\n"
                f"Flax said: {e}",
                kind="capture_failed",
            ) from e
        if not isinstance(e, CONCRETIZATION_ERRORS):
            raise
        if params:
            raise ConversionError(
                f"Cannot trace {_default_name(fn)}: an input_params value is used in Python control flow "
                f"(if/while on a traced value). input_params ({', '.join(param_names)}) become runtime inputs; "
                "pass flags that select code paths as ordinary Python arguments (functools.partial) instead.\n"
                f"JAX said: {e}",
                kind="capture_failed",
            ) from e
        raise
    closed = _drop_dead_code(closed)
    # PRNG keys become their uint32 data (random_* traced through JAX's own key implementation).
    closed = physicalize_keys(closed)
    _check_dtypes(closed)
    writer = CaptureWriter(inline_limit=inline_limit, weight_names=weight_names(root) if root is not None else {})
    warn_dropped_checks(closed, lambda e: _user_line(writer, e))
    n_out = len(closed.jaxpr.outvars)
    model = {
        "name": model_name or _default_name(fn),
        "inputs": names,
        "outputs": [f"out_{i}" for i in range(n_out)],
    }
    if opset is not None:
        model["opset"] = int(opset)
    producer = {"jax2onnx_lab": __version__, "jax": jax.__version__}
    try:
        header = writer.header(closed, model=model, producer=producer)
    except CaptureError as e:
        raise ConversionError(f"Cannot capture the program: {e}", kind="capture_failed") from e
    return Capture(header=header, buffers=writer.buffers, storage=[b["storage"] for b in writer.buffer_infos], closed_jaxpr=closed)
