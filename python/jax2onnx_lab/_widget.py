"""GraphWidget: the notebook's view of an ONNX model, converted from JAX in the browser or read
from a file.

The kernel sends the capture (program structure and small buffers) as one binary trait; the
browser converts it with the same TypeScript converter as ``to_onnx``, renders the graph and,
for parity, asks for the big weights by custom message once the cell has finished (a kernel does
not process comm messages while a cell runs). Results come back as traits: ``conversion`` (the
browser's summary or error) and ``parity`` (per-output errors against JAX, and which runtime
ran). Save writes the model through the kernel, filling the weights from their numpy buffers.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets

from . import __version__
from ._capture import Capture
from ._to_onnx import _host_bytes, _write_files_atomic

MODULE_NAME = "jax2onnx-lab"


class GraphWidget(widgets.DOMWidget):
    """An interactive ONNX graph: module groups, search, inspector, parity against JAX, save.

    Build one with :func:`jax2onnx_lab.show` (a callable or an ``.onnx`` path) or the
    ``%jax2onnx`` magic rather than directly.
    """

    _model_name = traitlets.Unicode("GraphModel").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = traitlets.Unicode(__version__).tag(sync=True)
    _view_name = traitlets.Unicode("GraphView").tag(sync=True)
    _view_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = traitlets.Unicode(__version__).tag(sync=True)

    #: The capture container (header + inline buffers), for the browser to convert.
    capture = traitlets.Bytes(b"").tag(sync=True)
    #: An ONNX model to show as it is (big tensors replaced by references; see ``show``).
    onnx = traitlets.Bytes(b"").tag(sync=True)
    #: Conversion options (opset, fusions, sourceRoot, modelName), the file name Save writes,
    #: and where parity runs: "browser", "kernel" or "off".
    config = traitlets.Dict().tag(sync=True)
    #: Summary statistics of weights the browser does not receive, by buffer index or name.
    tensor_stats = traitlets.Dict().tag(sync=True)
    #: Parity inputs and JAX's outputs: tensor descriptions (offsets into ``parity_data``) and
    #: the tolerance per dtype.
    parity_case = traitlets.Dict().tag(sync=True)
    parity_data = traitlets.Bytes(b"").tag(sync=True)
    #: A failure in the kernel (tracing, capture, the Node conversion for --output), as text.
    error = traitlets.Unicode("").tag(sync=True)
    #: The parity result: {"runtime", "ok", "outputs": [{name, max_abs, max_rel, ...}], ...}.
    parity = traitlets.Dict().tag(sync=True)
    #: The browser's conversion: {"ok", "summary"} or {"ok": False, "error": {...}}.
    conversion = traitlets.Dict().tag(sync=True)
    #: The last file Save wrote, as {"path", "bytes"} or {"error"}.
    saved = traitlets.Dict().tag(sync=True)

    def __init__(self, *, capture: Capture | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._capture = capture
        if capture is not None:
            self.capture = b"".join(bytes(p) for p in capture.parts())
        self.on_msg(self._on_message)

    # Custom messages from the browser: weights it needs, and models to save.
    def _on_message(self, _widget: Any, content: dict[str, Any], buffers: list[Any]) -> None:
        kind = content.get("type")
        if kind == "weights":
            self._send_weights(content.get("refs", []))
        elif kind == "save":
            self._save(content, buffers)

    def _send_weights(self, refs: list[dict[str, Any]]) -> None:
        if self._capture is None:
            self.send({"type": "weights", "refs": [], "error": "this widget has no capture"})
            return
        try:
            data = [bytes(_host_bytes(self._capture, ref)) for ref in refs]
        except (IndexError, KeyError, RuntimeError, ValueError) as e:
            self.send({"type": "weights", "refs": [], "error": f"cannot send weights: {e}"})
            return
        self.send({"type": "weights", "refs": refs}, data)

    def _save(self, content: dict[str, Any], buffers: list[Any]) -> None:
        # The kernel decides where the file goes (the notebook's directory, the configured
        # name): the browser only sends the model's structure bytes.
        name = os.path.basename(str(self.config.get("fileName") or "model.onnx"))
        target = os.path.abspath(name)
        try:
            if self._capture is None:
                raise ValueError("only models converted from JAX can be saved from the widget")
            payload = memoryview(buffers[0]) if buffers else memoryview(b"")
            _write_files_atomic([(target, content["table"])], self._capture, payload)
            self.saved = {"path": target, "bytes": os.path.getsize(target)}
        except Exception as e:  # noqa: BLE001 - any failure is reported in the widget
            self.saved = {"error": f"{type(e).__name__}: {e}"}


def tensor_stats(arr: np.ndarray) -> dict[str, Any]:
    """Summary statistics the inspector shows for a weight the browser does not hold."""
    if arr.size == 0:
        return {"count": 0}
    values = arr.astype(np.float64) if arr.dtype != np.float64 else arr
    finite = np.isfinite(values)
    out: dict[str, Any] = {
        "count": int(arr.size),
        "zeros": int(np.count_nonzero(values == 0)),
        "nans": int(np.count_nonzero(np.isnan(values))),
        "infs": int(np.count_nonzero(np.isinf(values))),
    }
    if finite.any():
        f = values[finite] if not finite.all() else values
        out.update(min=float(f.min()), max=float(f.max()), mean=float(f.mean()), std=float(f.std()))
    return out
