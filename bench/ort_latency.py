"""onnxruntime latency of several ONNX files, timed in one process, rounds interleaved.

    .venv/bin/python bench/ort_latency.py --batch 8 --rounds 30 ours=a.onnx ref=b.onnx

Interleaved in one process because inference on a big model is memory-bound: timing each file
in its own process at a different moment on a shared machine measured the neighbours, not the
graphs (a 1.9x "difference" between two files that run the same speed side by side).
The last stdout line is `RESULT <json>`: median seconds per name.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import onnxruntime as ort


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("files", nargs="+", help="name=path")
    args = parser.parse_args()

    options = ort.SessionOptions()
    options.log_severity_level = 3
    sessions, feeds = {}, {}
    for item in args.files:
        name, _, path = item.partition("=")
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        (spec,) = session.get_inputs()
        sessions[name] = session
        feeds[name] = {spec.name: np.random.default_rng(0).standard_normal((args.batch, spec.shape[-1])).astype(np.float32)}

    for name, session in sessions.items():
        for _ in range(3):  # warm-up: first runs allocate arenas and pick kernels
            session.run(None, feeds[name])
    seconds: dict[str, list[float]] = {name: [] for name in sessions}
    for _ in range(args.rounds):
        for name, session in sessions.items():
            start = time.perf_counter()
            session.run(None, feeds[name])
            seconds[name].append(time.perf_counter() - start)
    print("RESULT " + json.dumps({name: statistics.median(s) for name, s in seconds.items()}), flush=True)


if __name__ == "__main__":
    main()
