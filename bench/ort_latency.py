"""onnxruntime latency of several ONNX files of one bench subject, timed in one process, rounds interleaved.

    .venv/bin/python bench/ort_latency.py --model NAME --rounds 30 ours=a.onnx ref=b.onnx

Interleaved in one process because inference on a big model is memory-bound: timing each file
in its own process at a different moment on a shared machine measured the neighbours, not the
graphs (a 1.9x "difference" between two files that run the same speed side by side). One
thread: the machine's 2 cores are shared. Both files get the same inputs (bench/subjects.py).
The last stdout line is `RESULT <json>`: median seconds per name.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import onnx_checks
import subjects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("files", nargs="+", help="name=path")
    args = parser.parse_args()

    xs = subjects.concrete_inputs(subjects.get(args.model))
    sessions, feeds = {}, {}
    for item in args.files:
        name, _, path = item.partition("=")
        sessions[name] = onnx_checks.session(path, args.threads)
        feeds[name] = onnx_checks.feeds(sessions[name], xs)

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
