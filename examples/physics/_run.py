"""Shared by the physics examples: convert, run in onnxruntime, compare with JAX, print."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Callable, Sequence

import jax
import numpy as np
import onnx

from jax2onnx_lab import to_onnx
from jax2onnx_lab._parity import run_onnxruntime


def convert_and_compare(fn: Callable[..., Any], inputs: Sequence[Any], values: Sequence[np.ndarray], output: str) -> None:
    start = time.perf_counter()
    to_onnx(fn, inputs, return_mode="file", output_path=output)
    took = time.perf_counter() - start
    model = onnx.load(output)
    onnx.checker.check_model(model, full_check=True)
    ops = Counter(n.op_type for n in model.graph.node)
    print(f"{output}: converted in {took:.2f} s, top-level ops {dict(ops)}")
    names = [i.name for i in model.graph.input]
    got = run_onnxruntime(model.SerializeToString(), dict(zip(names, values)))
    want = [np.asarray(y) for y in jax.tree_util.tree_leaves(jax.jit(fn)(*values))]
    for i, (g, w) in enumerate(zip(got, want)):
        err = float(np.max(np.abs(g.astype(np.float64) - w))) if w.size else 0.0
        print(f"  output {i}: shape {list(w.shape)} {w.dtype}, max abs difference onnxruntime vs JAX {err:.3g}")
