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
        "function_nodes": sum(len(f.node) for f in proto.functions),
        "ops": dict(ops.most_common()),
        "initializers": len(proto.graph.initializer),
        "opset": next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), None),
    }


def session(path: str, threads: int | None = None) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = threads
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def feeds(sess: Any, xs: list[np.ndarray]) -> dict[str, np.ndarray]:
    return {i.name: x for i, x in zip(sess.get_inputs(), xs)}


def expected_outputs(model: Any, xs: list[np.ndarray]) -> list[np.ndarray]:
    import jax

    return [np.asarray(y) for y in jax.tree_util.tree_leaves(model(*xs))]


def parity(subject: Any, expected: list[np.ndarray], path: str, xs: list[np.ndarray]) -> dict[str, Any]:
    """onnxruntime's outputs against JAX's on one draw of inputs (bench/ort_latency.py times them later)."""
    sess = session(path)
    got = sess.run(None, feeds(sess, xs))
    if len(got) != len(expected) or any(g.shape != e.shape for g, e in zip(got, expected)):
        return {"parity_ok": False, "parity": f"shapes {[g.shape for g in got]}, JAX has {[e.shape for e in expected]}"}
    errs = [np.abs(g.astype(np.float64) - e.astype(np.float64)) for g, e in zip(got, expected)]
    max_abs = max(float(np.max(err)) if err.size else 0.0 for err in errs)
    if subject.scale_atol:
        # Scaled with the outputs so a model with large activations is not failed on float32 rounding.
        ok = all(float(np.max(err, initial=0.0)) <= subject.atol * max(1.0, float(np.max(np.abs(e), initial=0.0))) for err, e in zip(errs, expected))
    else:
        ok = all(np.allclose(g, e, rtol=subject.rtol, atol=subject.atol) for g, e in zip(got, expected))
    return {"parity_ok": ok, "parity": f"max abs err {max_abs:.3g} at {dict(subject.dims)}", "max_abs_err": max_abs}
