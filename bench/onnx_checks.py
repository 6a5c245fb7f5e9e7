"""What a produced ONNX file is: its size and node count, and whether it computes what JAX computes.
Runs inside a measure.py child, after the timed part."""

from __future__ import annotations

import collections
import os
from typing import Any

import numpy as np


def files_size(directory: str) -> int:
    """Bytes of every file in the output directory: the reference may write weights as external data."""
    return sum(entry.stat().st_size for entry in os.scandir(directory) if entry.is_file())


def graph_summary(path: str) -> dict[str, Any]:
    import onnx

    proto = onnx.load(path, load_external_data=False)
    ops = collections.Counter(node.op_type for node in proto.graph.node)
    return {
        "nodes": len(proto.graph.node),
        "ops": dict(ops.most_common()),
        "initializers": len(proto.graph.initializer),
        "opset": next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), None),
    }


def _session(path: str) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def parity(model: Any, path: str, *, batch: int, atol: float) -> dict[str, Any]:
    """Max abs error of onnxruntime vs JAX on one random batch (bench/ort_latency.py times it later)."""
    session = _session(path)
    (spec,) = session.get_inputs()
    x = np.random.default_rng(0).standard_normal((batch, spec.shape[-1])).astype(np.float32)
    expected = np.asarray(model(x))
    (actual,) = session.run(None, {spec.name: x})
    if actual.shape != expected.shape:
        return {"parity_ok": False, "parity": f"shape {actual.shape}, JAX has {expected.shape}"}
    max_abs = float(np.max(np.abs(actual.astype(np.float64) - expected)))
    # Scale the tolerance with the outputs so a model with large activations is not failed on float32 rounding.
    ok = max_abs <= atol * max(1.0, float(np.max(np.abs(expected))))
    return {"parity_ok": ok, "parity": f"max abs err {max_abs:.3g} at B={batch}", "max_abs_err": max_abs}
