"""onnxruntime latency (1 thread) and parity vs JAX of the example files, side by side.

    .venv/bin/python bench/example_latency.py --rounds N name:ours=a.onnx,ref=b.onnx ...

Per example: the inputs are drawn once (the example's first dims, its sampler for ints), JAX
computes the reference output, each file's onnxruntime output is checked against it at the
example's tolerance, then the files are timed in one process with rounds interleaved. The last
stdout line is `RESULT <json>`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("items", nargs="+")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    sys.path.insert(0, str(ROOT))
    import jax
    import onnxruntime as ort

    from examples import CATALOG
    from jax2onnx_lab._parity import random_array, resolve_shape, spec_shape_dtype

    by_name = {e.name: e for e in CATALOG}
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    out: dict[str, dict[str, object]] = {}
    for item in args.items:
        name, _, files = item.partition(":")
        ex = by_name[name]
        rng = np.random.default_rng(0)
        xs = []
        for spec in ex.inputs:
            shape, dtype = spec_shape_dtype(spec)
            concrete = resolve_shape(shape, dict(ex.dims[-1]))
            xs.append(ex.sample(rng, concrete, dtype) if ex.sample and np.issubdtype(dtype, np.integer) else random_array(concrete, dtype, rng))
        fn = ex.build()
        expected = [np.asarray(y) for y in jax.tree_util.tree_leaves(jax.jit(lambda *a: fn(*a))(*xs))]
        sessions, feeds, result = {}, {}, {}
        for part in files.split(","):
            conv, _, path = part.partition("=")
            s = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            feed = {i.name: x for i, x in zip(s.get_inputs(), xs)}
            got = s.run(None, feed)
            err = max(float(np.max(np.abs(g.astype(np.float64) - e.astype(np.float64)))) for g, e in zip(got, expected))
            ok = all(np.allclose(g, e, rtol=ex.rtol, atol=ex.atol) for g, e in zip(got, expected))
            result[conv] = {"parity_ok": ok, "max_abs_err": err}
            sessions[conv], feeds[conv] = s, feed
        for conv, s in sessions.items():
            for _ in range(5):
                s.run(None, feeds[conv])
        seconds: dict[str, list[float]] = {c: [] for c in sessions}
        for _ in range(args.rounds):
            for conv, s in sessions.items():
                start = time.perf_counter()
                s.run(None, feeds[conv])
                seconds[conv].append(time.perf_counter() - start)
        for conv in sessions:
            result[conv]["latency_s"] = statistics.median(seconds[conv])
        out[name] = result
    print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
