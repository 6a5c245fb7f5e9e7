"""onnxruntime latency of the iterative linear algebra rules (plugins/linalg: eigh and svd by
Jacobi sweeps, qr by Householder steps, in ONNX Loops) against JAX's jitted LAPACK calls on the
same float32 inputs, rounds interleaved in one process; prints medians, their ratio, and the
largest difference of the eigen/singular values from JAX's.

    .venv/bin/python bench/linalg_latency.py [--sizes 4 16 64] [--rounds 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import onnxruntime as ort

from jax2onnx_lab import to_onnx

PROGRAMS = {
    "eigh": lambda a: jnp.linalg.eigh(a),
    "svd": lambda a: jnp.linalg.svd(a),
    "qr": lambda a: jnp.linalg.qr(a),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 16, 64])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    print("| program | n | onnxruntime (ms) | jax.jit (ms) | ratio | max value diff |")
    print("|---|---|---|---|---|---|")
    for name, fn in PROGRAMS.items():
        for n in args.sizes:
            a = np.random.default_rng(n).standard_normal((n, n)).astype(np.float32)
            session = ort.InferenceSession(to_onnx(fn, [(n, n)]).SerializeToString(), options, providers=["CPUExecutionProvider"])
            feed = {session.get_inputs()[0].name: a}
            jitted = jax.jit(fn)
            ours, theirs = session.run(None, feed), [np.asarray(x) for x in jax.block_until_ready(jitted(a))]
            # eigh: w is output 0 in JAX's order (w, v), ours too; svd: s is output 1 of (u, s, vh); qr: r.
            k = {"eigh": 0, "svd": 1, "qr": 1}[name]
            diff = float(np.max(np.abs(np.abs(ours[k]) - np.abs(theirs[k]))))
            times: dict[str, list[float]] = {"ort": [], "jax": []}
            for _ in range(args.rounds):
                t = time.perf_counter()
                session.run(None, feed)
                times["ort"].append(time.perf_counter() - t)
                t = time.perf_counter()
                jax.block_until_ready(jitted(a))
                times["jax"].append(time.perf_counter() - t)
            o, j = (statistics.median(times[key]) * 1e3 for key in ("ort", "jax"))
            print(f"| {name} | {n} | {o:.3f} | {j:.3f} | {o / j:.1f} | {diff:.1e} |")


if __name__ == "__main__":
    main()
