"""Tracing a user's callable into a capture: jaxpr + names + weights, ready to convert."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
from typing import Any, Callable, Mapping, Sequence

import jax
import numpy as np
from jax.extend import core as jex_core

from . import __version__
from ._errors import ConversionError
from ._frameworks import framework_weight_names
from ._functions import active_capture
from ._nnx_state import needs_traced_state, state_inputs_as_consts, with_state_inputs
from ._inputs import input_specs, param_specs
from ._interchange import CaptureError, CaptureWriter, container_parts, is_library_file, write_container
from ._keys import physicalize_keys
from ._modules import module_scopes, root_module, weight_names
from ._precision_checks import warn_single_precision_constants
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


# JAX's refusal of a loop carry (or cond branches) whose type changes: scan, while_loop, cond.
_LOOP_TYPE_ERROR = re.compile(r"(scan|while_loop) body function carry input and carry output must have equal types|cond branches must have equal output types")


def _user_frame(e: BaseException) -> str:
    """The innermost frame of the user's own code in the exception's traceback."""
    found = "<unknown source>"
    tb = e.__traceback__
    while tb is not None:
        path = tb.tb_frame.f_code.co_filename
        if not is_library_file(path) and not path.startswith("<"):
            found = f"{_relative(path)}:{tb.tb_lineno} ({tb.tb_frame.f_code.co_name})"
        tb = tb.tb_next
    return found


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
    return f"{_relative(writer.files[src['file']])}:{src['line']} ({src['fn']})"


def _relative(path: str) -> str:
    """Relative to the working directory when inside it, as node metadata is."""
    here = os.getcwd() + os.sep
    return path[len(here) :] if path.startswith(here) else path


def _where(writer: CaptureWriter, e: Any) -> str:
    src = writer.source(e.source_info).get("src")
    return f"{writer.files[src['file']]}:{src['line']} ({src['fn']})" if src else "<unknown source>"


def _unconvertible(closed: Any) -> str | None:
    """Why the program cannot convert after tracing (the same steps as capture: a key use that
    cannot become uint32 data, a non-numeric value left), or None."""
    try:
        _check_dtypes(physicalize_keys(_drop_dead_code(closed)))
    except ConversionError as e:
        return str(e).splitlines()[0].removeprefix("Cannot convert: ").rstrip(":")
    return None


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


def precision_context(enable_double_precision: bool | None) -> Any:
    """``jax_enable_x64`` as `enable_double_precision` asks (None: as JAX is configured)."""
    if enable_double_precision is None:
        return contextlib.nullcontext()
    return jax.enable_x64(bool(enable_double_precision))


def _edge_names(given: Sequence[str] | None, default: list[str], what: str) -> list[str]:
    if given is None:
        return default
    if isinstance(given, str) or len(given) != len(default):
        raise ValueError(f"{what} must list {len(default)} name{'s' if len(default) != 1 else ''}, got {given!r}")
    names = list(given)
    for n in names:
        if not isinstance(n, str) or not n:
            raise ValueError(f"{what}: {n!r} is not a non-empty string")
    return names


def _layout_indices(given: Sequence[int] | None, count: int, what: str) -> list[int]:
    out: list[int] = []
    for i in given or ():
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise ValueError(f"{what} entries are input/output positions (ints), got {i!r}")
        if not 0 <= int(i) < count:
            raise ValueError(f"{what}: index {i} is out of range for {count} value{'s' if count != 1 else ''}")
        if int(i) in out:
            raise ValueError(f"{what}: index {i} is given twice")
        out.append(int(i))
    return out


def _check_channels_last(avals: Sequence[Any], indices: list[int], what: str) -> None:
    for i in indices:
        if len(avals[i].shape) < 3:
            raise ValueError(f"{what}: value {i} has shape {tuple(avals[i].shape)}; NCHW needs rank >= 3 (N, C, spatial...)")


def capture(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    input_params: dict[str, Any] | None = None,
    model_name: str | None = None,
    opset: int | None = None,
    inline_limit: int | None = DEFAULT_INLINE_LIMIT,
    enable_double_precision: bool | None = None,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    inputs_as_nchw: Sequence[int] | None = None,
    outputs_as_nchw: Sequence[int] | None = None,
) -> Capture:
    """Traces `fn` on `inputs` (shapes with dim names like "B") into a capture.

    The options are ``to_onnx``'s (see there)."""
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    with precision_context(enable_double_precision):
        return _capture(
            fn, inputs, input_params=input_params, model_name=model_name, opset=opset, inline_limit=inline_limit,
            default_dtype=np.float64 if enable_double_precision else np.float32, input_names=input_names,
            output_names=output_names, inputs_as_nchw=inputs_as_nchw, outputs_as_nchw=outputs_as_nchw,
            double_precision=bool(enable_double_precision),
        )


def _capture(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    input_params: dict[str, Any] | None,
    model_name: str | None,
    opset: int | None,
    inline_limit: int | None,
    default_dtype: Any,
    input_names: Sequence[str] | None,
    output_names: Sequence[str] | None,
    inputs_as_nchw: Sequence[int] | None,
    outputs_as_nchw: Sequence[int] | None,
    double_precision: bool = False,
) -> Capture:
    specs = input_specs(inputs, default_dtype)
    params = param_specs(input_params)
    param_names = list(params)
    names = _edge_names(input_names, [f"in_{i}" for i in range(len(specs))], "input_names") + param_names
    if len(set(names)) != len(names):
        raise ValueError(f"input names must be unique (input_names and input_params keys together): {names}")
    nchw_in = _layout_indices(inputs_as_nchw, len(specs), "inputs_as_nchw")
    _check_channels_last(specs, nchw_in, "inputs_as_nchw")

    root = root_module(fn)

    def trace(static: Mapping[str, Any], switches: Sequence[str]) -> Any:
        with module_scopes(root), active_capture():
            return jax.make_jaxpr(flat_program(fn, len(specs), param_names, static, switches))(*specs, *params.values())

    def trace_with_state(static: Mapping[str, Any], switches: Sequence[str]) -> Any:
        with module_scopes(root) as scope_names, active_capture():
            program, leaves = with_state_inputs(fn, root, scope_names)
            flat = flat_program(program, len(leaves) + len(specs), param_names, static, switches)
            return state_inputs_as_consts(jax.make_jaxpr(flat)(*leaves, *specs, *params.values()), leaves)

    try:
        try:
            closed = trace_with_switches(trace, dict(input_params or {}), _unconvertible)
        except ValueError as e:
            # NNX transforms inside the model (nnx.scan over layers) need its state traced.
            if not needs_traced_state(e, root):
                raise
            closed = trace_with_switches(trace_with_state, dict(input_params or {}), _unconvertible)
    except Exception as e:
        if type(e).__name__ == "TraceContextError":
            raise ConversionError(
                f"Cannot trace {_default_name(fn)}: the model changes its own state while it runs "
                "(BatchNorm updating batch statistics or Dropout drawing random numbers: training mode). "
                "Call model.eval() (Flax NNX) or use eqx.nn.inference_mode(model) before converting.\n"
                f"Flax said: {e}",
                kind="capture_failed",
            ) from e
        if isinstance(e, TypeError) and _LOOP_TYPE_ERROR.match(str(e)):
            raise ConversionError(
                f"Cannot convert {_default_name(fn)}: {str(e).splitlines()[0].split(' ')[0]} needs the same shapes and dtypes "
                f"in every iteration (branch), which ONNX Loop, Scan and If need too, at {_user_frame(e)}.\nJAX said: {e}",
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
    writer = CaptureWriter(inline_limit=inline_limit, weight_names={**framework_weight_names(fn), **(weight_names(root) if root is not None else {})})
    warn_dropped_checks(closed, lambda e: _user_line(writer, e))
    if double_precision:
        warn_single_precision_constants(closed, writer.weight_names, lambda e: _user_line(writer, e))
    n_out = len(closed.jaxpr.outvars)
    out_names = _edge_names(output_names, [f"out_{i}" for i in range(n_out)], "output_names")
    if len(set(out_names)) != n_out or set(out_names) & set(names):
        raise ValueError(f"output names must be unique and differ from the input names: {out_names}")
    nchw_out = _layout_indices(outputs_as_nchw, n_out, "outputs_as_nchw")
    _check_channels_last([v.aval for v in closed.jaxpr.outvars], nchw_out, "outputs_as_nchw")
    model: dict[str, Any] = {
        "name": model_name or _default_name(fn),
        "inputs": names,
        "outputs": out_names,
    }
    if nchw_in:
        model["nchwInputs"] = nchw_in
    if nchw_out:
        model["nchwOutputs"] = nchw_out
    if opset is not None:
        model["opset"] = int(opset)
    producer = {"jax2onnx_lab": __version__, "jax": jax.__version__}
    try:
        header = writer.header(closed, model=model, producer=producer)
    except CaptureError as e:
        raise ConversionError(f"Cannot capture the program: {e}", kind="capture_failed") from e
    return Capture(header=header, buffers=writer.buffers, storage=[b["storage"] for b in writer.buffer_infos], closed_jaxpr=closed)
