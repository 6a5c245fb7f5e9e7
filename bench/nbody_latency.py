"""onnxruntime latency of the N-body example (examples/physics/nbody.py: 100 velocity-Verlet
steps in one Scan) against JAX's own jitted run on the same inputs, in one process, rounds
interleaved; prints the medians and their ratio.

    .venv/bin/python bench/nbody_latency.py [--bodies 8] [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import jax
import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples" / "physics"))

import nbody  # noqa: E402

from jax2onnx_lab import to_onnx  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    values = nbody.sample(args.bodies)
    model = to_onnx(nbody.simulate, nbody.INPUTS)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    feeds = dict(zip([i.name for i in session.get_inputs()], values))
    jitted = jax.jit(nbody.simulate)
    device_values = [jax.device_put(v) for v in values]

    def run_jax() -> None:
        jax.block_until_ready(jitted(*device_values))

    def run_ort() -> None:
        session.run(None, feeds)

    for _ in range(5):  # warm-up: compilation, arenas
        run_jax()
        run_ort()
    # Same trajectory (float32 rounding grows over the steps of a chaotic system with many bodies).
    diff = float(np.max(np.abs(session.run(None, feeds)[0] - np.asarray(jitted(*values)[0]))))
    times: dict[str, list[float]] = {"onnxruntime": [], "jax.jit": []}
    for _ in range(args.rounds):
        for name, run in (("onnxruntime", run_ort), ("jax.jit", run_jax)):
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    ort_s, jax_s = statistics.median(times["onnxruntime"]), statistics.median(times["jax.jit"])
    ort_min, jax_min = min(times["onnxruntime"]), min(times["jax.jit"])
    print(f"N-body, {args.bodies} bodies x {nbody.STEPS} steps, max |positions difference| {diff:.2g}")
    print(f"  onnxruntime {ort_s * 1e3:.3f} ms, jax.jit {jax_s * 1e3:.3f} ms (medians of {args.rounds}); minimums {ort_min * 1e3:.3f} / {jax_min * 1e3:.3f} ms")
    # The minimum is the run least disturbed by other processes on a shared machine.
    print(f"ratio onnxruntime / jax.jit: {ort_s / jax_s:.2f} (medians), {ort_min / jax_min:.2f} (minimums)")


if __name__ == "__main__":
    main()
