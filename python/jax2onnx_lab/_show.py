"""show(): a GraphWidget for a JAX callable (converted in the browser, parity against JAX) or
for any ONNX file (a Netron in the notebook)."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Callable, Mapping, Sequence

import jax
import numpy as np

from ._capture import DEFAULT_INLINE_LIMIT, Capture, capture
from ._errors import ConversionError
from ._parity import OutputParity, compare_output, complex_to_pairs, run_onnxruntime, sample_inputs
from ._tolerance import default_tolerance
from ._widget import GraphWidget, tensor_stats

#: Above this many bytes of weights, shipping them to the browser (~10 MB/s over the comm) costs
#: more than an in-browser run tells: parity runs in the kernel's onnxruntime instead.
BROWSER_PARITY_LIMIT = 64 * 2**20
#: Tensors of an ONNX file bigger than this are not sent to the browser; their statistics are.
SHOW_INLINE_TENSOR_LIMIT = 2**20

def tolerance_for(dtype: str) -> tuple[float, float]:
    """The parity tolerance of the widget: the project's one table (``_tolerance.py``)."""
    return default_tolerance(dtype)


def _describe(name: str, arr: np.ndarray, offset: int) -> dict[str, Any]:
    return {"name": name, "dtype": arr.dtype.name, "shape": list(arr.shape), "offset": offset, "length": int(arr.nbytes)}


def parity_case(fn: Callable[..., Any], inputs: Sequence[Any], input_params: Mapping[str, Any] | None, dims: Mapping[str, int], seed: int = 0) -> tuple[dict[str, Any], bytes, dict[str, np.ndarray], list[np.ndarray]]:
    """Example inputs (random, fixed seed, `dims` for symbolic sizes) and JAX's outputs on them."""
    xs = sample_inputs(inputs, dims, seed)
    params = {k: np.asarray(v) for k, v in (input_params or {}).items()}
    feeds: dict[str, np.ndarray] = {f"in_{i}": x for i, x in enumerate(xs)}
    for name, value in params.items():
        if value.dtype == np.float64 and not jax.config.jax_enable_x64:
            value = value.astype(np.float32)
        elif value.dtype == np.int64 and not jax.config.jax_enable_x64:
            value = value.astype(np.int32)
        feeds[name] = value
    expected = [np.asarray(y) for y in jax.tree_util.tree_leaves(jax.jit(fn)(*xs, **params))]
    feeds = {k: complex_to_pairs(v) for k, v in feeds.items()}
    parts: list[bytes] = []
    offset = 0

    def add(name: str, arr: np.ndarray) -> dict[str, Any]:
        nonlocal offset
        arr = np.ascontiguousarray(arr)
        entry = _describe(name, arr, offset)
        parts.append(arr.tobytes())
        offset += arr.nbytes
        return entry

    # Complex values travel as (real, imag) pairs, as the model's inputs and outputs do.
    case = {
        "inputs": [add(n, a) for n, a in feeds.items()],
        "outputs": [add(f"out_{i}", complex_to_pairs(a)) for i, a in enumerate(expected)],
        "tolerances": {d: list(tolerance_for(d)) for d in sorted({complex_to_pairs(a).dtype.name for a in expected})},
        "dims": dict(dims),
        "seed": seed,
    }
    return case, b"".join(parts), feeds, expected


def kernel_parity(model: Any, feeds: Mapping[str, np.ndarray], expected: Sequence[np.ndarray]) -> dict[str, Any]:
    """Parity in the kernel's onnxruntime, in the same shape as the browser's result."""
    import time

    start = time.perf_counter()
    actual = run_onnxruntime(model, feeds)
    seconds = time.perf_counter() - start
    outputs = [widget_output(compare_output(f"out_{i}", e, np.asarray(a))) for i, (e, a) in enumerate(zip(expected, actual))]
    ok = len(actual) == len(expected) and all(o["ok"] for o in outputs)
    return {"runtime": "onnxruntime (kernel)", "ok": ok, "outputs": outputs, "milliseconds": seconds * 1e3}


def widget_output(o: OutputParity) -> dict[str, Any]:
    """One output's parity in the shape the widget's panel and ``GraphWidget.parity`` use (the
    same keys the browser writes)."""
    out: dict[str, Any] = {"name": o.name, "dtype": o.dtype, "shape": list(o.shape), "ok": o.ok, "rtol": o.rtol, "atol": o.atol}
    if o.problem:
        return {**out, "reason": o.problem}
    inf = (o.posinf[0] + o.neginf[0], o.posinf[1] + o.neginf[1])
    return {**out, "mismatches": o.mismatches, "max_abs": o.max_abs, "max_rel": o.max_rel, "nan": {"jax": o.nan[0], "onnx": o.nan[1]}, "inf": {"jax": inf[0], "onnx": inf[1]}}


def _host_stats(cap: Capture) -> dict[str, Any]:
    return {str(i): tensor_stats(b) for i, (b, s) in enumerate(zip(cap.buffers, cap.storage)) if s == "host"}


def _host_bytes_total(cap: Capture) -> int:
    return sum(int(b.nbytes) for b, s in zip(cap.buffers, cap.storage) if s == "host")


def show_callable(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    input_params: Mapping[str, Any] | None = None,
    model_name: str | None = None,
    opset: int | None = None,
    dims: Mapping[str, int] | None = None,
    parity: bool = True,
    output_path: str | os.PathLike[str] | None = None,
    fusions: bool = True,
) -> GraphWidget:
    from ._to_onnx import to_onnx

    config: dict[str, Any] = {"sourceRoot": os.getcwd(), "fusions": fusions, "parity": "browser" if parity else "off"}
    if opset is not None:
        config["opset"] = int(opset)
    try:
        cap = capture(fn, inputs, input_params=dict(input_params) if input_params else None, model_name=model_name, opset=opset, inline_limit=DEFAULT_INLINE_LIMIT)
    except ConversionError as e:
        return GraphWidget(error=str(e), config=config)
    name = cap.header["model"]["name"]
    config.update(modelName=name, fileName=os.path.basename(os.fspath(output_path)) if output_path else f"{name}.onnx")
    widget = GraphWidget(capture=cap, config=config, tensor_stats=_host_stats(cap))
    errors = []
    if output_path is not None:
        try:
            to_onnx(fn, inputs, input_params=dict(input_params) if input_params else None, model_name=model_name, opset=opset, return_mode="file", output_path=output_path)
        except ConversionError as e:
            errors.append(str(e))
    if parity and not errors:
        try:
            case, data, feeds, expected = parity_case(fn, inputs, input_params, dims or {})
        except Exception as e:  # noqa: BLE001 - JAX itself failing is shown, the graph still is
            widget.config = {**config, "parity": "off", "parityReason": f"JAX could not run the program on example inputs ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}), so there is nothing to compare with."}
        else:
            widget.parity_case, widget.parity_data = case, data
            if _host_bytes_total(cap) > BROWSER_PARITY_LIMIT:
                widget.config = {**config, "parity": "kernel"}
                widget.parity = _parity_in_kernel(fn, inputs, input_params, model_name, opset, output_path, feeds, expected)
    if errors:
        widget.error = "\n\n".join(errors)
    return widget


def _parity_in_kernel(fn: Any, inputs: Any, input_params: Any, model_name: Any, opset: Any, output_path: Any, feeds: Any, expected: Any) -> dict[str, Any]:
    from ._to_onnx import to_onnx

    try:
        if output_path is not None:
            return kernel_parity(os.fspath(output_path), feeds, expected)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.onnx")
            to_onnx(fn, inputs, input_params=dict(input_params) if input_params else None, model_name=model_name, opset=opset, return_mode="file", output_path=path)
            return kernel_parity(path, feeds, expected)
    except Exception as e:  # noqa: BLE001 - shown in the parity panel
        return {"runtime": "onnxruntime (kernel)", "ok": False, "error": f"{type(e).__name__}: {e}", "outputs": []}


def show_file(path: str | os.PathLike[str]) -> GraphWidget:
    """Any ONNX file: the structure goes to the browser; tensors over 1 MiB stay here, with stats."""
    import onnx

    path = os.fspath(path)
    config = {"fileName": os.path.basename(path), "parity": "off", "source": "file"}
    try:
        model = onnx.load(path, load_external_data=False)
    except Exception as e:  # noqa: BLE001 - a malformed file is reported in the widget
        return GraphWidget(error=f"Cannot read {path} as an ONNX model: {type(e).__name__}: {e}", config=config)
    stats: dict[str, Any] = {}
    base = os.path.dirname(os.path.abspath(path))
    for t in model.graph.initializer:
        external = t.data_location == onnx.TensorProto.EXTERNAL
        if not external and len(t.raw_data) <= SHOW_INLINE_TENSOR_LIMIT:
            continue
        try:
            arr = onnx.numpy_helper.to_array(t, base_dir=base) if external else onnx.numpy_helper.to_array(t)
            stats[t.name] = tensor_stats(np.asarray(arr))
        except Exception as e:  # noqa: BLE001 - stats are best effort: a missing data file is named
            stats[t.name] = {"error": f"{type(e).__name__}: {e}"}
        if not external:
            nbytes = len(t.raw_data)
            t.ClearField("raw_data")
            t.data_location = onnx.TensorProto.EXTERNAL
            del t.external_data[:]
            for key, value in (("location", "jax2onnx-lab:host"), ("length", str(nbytes))):
                entry = t.external_data.add()
                entry.key, entry.value = key, value
    return GraphWidget(onnx=model.SerializeToString(), config=config, tensor_stats=stats)


def show(target: Any, inputs: Sequence[Any] | None = None, **kwargs: Any) -> GraphWidget:
    """Shows a model in the graph widget.

    ``show(fn, inputs, ...)`` traces ``fn`` like :func:`to_onnx` (same ``input_params``,
    ``model_name``, ``opset``), converts it in the browser and checks parity against JAX on
    random inputs (``dims={"B": 4}`` sets symbolic sizes; ``parity=False`` skips it;
    ``output_path=`` also writes the file through ``to_onnx``). ``show("model.onnx")`` opens any
    ONNX file.
    """
    if isinstance(target, (str, os.PathLike)):
        if inputs is not None or kwargs:
            raise TypeError("show(path) takes no inputs or options: it shows the file as it is")
        return show_file(target)
    if inputs is None:
        raise TypeError("show(fn, inputs): give the input specs, e.g. [('B', 30)], as for to_onnx")
    return show_callable(target, inputs, **kwargs)
