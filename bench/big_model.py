"""A model over protobuf's 2 GB: written with ONNX external data, loaded by onnxruntime, and the
converting Python process's peak memory next to the weight bytes (issue 9, item 6).

    .venv/bin/python bench/big_model.py [--gib 2.2] [--out bench/out/big]

Three fresh processes, so each peak is its own:
1. convert: builds the weights (numpy, float32), converts with to_onnx(return_mode="file") and
   reports peak RSS of this Python process, of the Node converter, and the weight bytes. The
   weights exist once: the capture keeps references to the arrays and the writer streams them
   from their buffers; Node never sees them.
2. check: loads the model in onnxruntime (external data beside it) and runs it.
3. the reference: JAX on the same weights and input, compared with onnxruntime's output.
The unit test for the same path (a lowered threshold, small model) is
python/tests/test_to_onnx.py::test_external_data_beside_the_model.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from measure import peak_rss_bytes, vm_hwm_bytes

ROOT = Path(__file__).resolve().parents[1]
DIM = 8192  # 8192 x 8192 float32 = 256 MiB per layer


def weights(gib: float):
    import numpy as np

    layers = max(1, round(gib * 2**30 / (DIM * DIM * 4)))
    rng = np.random.default_rng(0)
    out = []
    for _ in range(layers):
        w = rng.standard_normal((DIM, DIM), dtype=np.float32)
        w *= 1.0 / np.sqrt(DIM)  # in place: no second copy
        out.append(w)
    return out


def program(ws):
    import jax.numpy as jnp

    def f(x):
        for w in ws:
            x = jnp.tanh(x @ w)
        return x

    return f


def convert(out: Path, gib: float) -> dict:
    import jax  # noqa: F401 - counted in the baseline

    from jax2onnx_lab import to_onnx
    from jax2onnx_lab._node import converter

    converter()  # Node started and jax imported: the baseline before any weight exists
    baseline = peak_rss_bytes()
    ws = weights(gib)
    weight_bytes = sum(w.nbytes for w in ws)
    t = time.perf_counter()
    to_onnx(program(ws), [("B", DIM)], return_mode="file", output_path=out / "big.onnx")
    seconds = time.perf_counter() - t
    return {
        "weight_bytes": weight_bytes,
        "baseline_rss": baseline,
        "peak_rss": peak_rss_bytes(),
        "node_peak_rss": vm_hwm_bytes(converter().pid),
        "convert_s": seconds,
        "files": {p.name: p.stat().st_size for p in sorted(out.iterdir())},
    }


def check(out: Path) -> dict:
    import numpy as np
    import onnxruntime as ort

    t = time.perf_counter()
    session = ort.InferenceSession(str(out / "big.onnx"), providers=["CPUExecutionProvider"])
    load_s = time.perf_counter() - t
    x = np.random.default_rng(1).standard_normal((2, DIM), dtype=np.float32)
    (y,) = session.run(None, {"in_0": x})
    np.save(out / "ort_out.npy", y)
    np.save(out / "x.npy", x)
    return {"ort_load_s": load_s, "ort_peak_rss": peak_rss_bytes()}


def reference(out: Path, gib: float) -> dict:
    import jax
    import numpy as np

    from jax2onnx_lab._parity import compare_outputs

    ws = weights(gib)
    x = np.load(out / "x.npy")
    expected = np.asarray(jax.jit(program(ws))(x))
    report = compare_outputs([expected], [np.load(out / "ort_out.npy")])
    return {"parity_ok": report.ok, "parity": report.text()}


def sub(step: str, out: Path, gib: float) -> dict:
    result = subprocess.run([sys.executable, __file__, "--step", step, "--out", str(out), "--gib", str(gib)], capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{step} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gib", type=float, default=2.2)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "big"))
    parser.add_argument("--step", choices=["convert", "check", "reference"])
    args = parser.parse_args()
    out = Path(args.out)
    if args.step:
        fn = {"convert": lambda: convert(out, args.gib), "check": lambda: check(out), "reference": lambda: reference(out, args.gib)}[args.step]
        print(json.dumps(fn()))
        return
    out.mkdir(parents=True, exist_ok=True)
    for p in out.iterdir():
        p.unlink()
    c = sub("convert", out, args.gib)
    k = sub("check", out, args.gib)
    r = sub("reference", out, args.gib)
    mib = lambda n: f"{n / 2**20:,.0f} MiB"  # noqa: E731
    print(f"weights:               {mib(c['weight_bytes'])} ({c['weight_bytes'] / 2**30:.2f} GiB, float32 {DIM}x{DIM} layers)")
    print(f"files:                 " + ", ".join(f"{n} {mib(s)}" for n, s in c["files"].items()))
    print(f"convert:               {c['convert_s']:.1f} s")
    print(f"python peak RSS:       {mib(c['peak_rss'])} = baseline {mib(c['baseline_rss'])} (jax + node started) + {mib(c['peak_rss'] - c['baseline_rss'])}")
    print(f"  over the baseline:   {(c['peak_rss'] - c['baseline_rss']) / c['weight_bytes']:.2f} x the weight bytes")
    print(f"node peak RSS:         {mib(c['node_peak_rss'] or 0)}")
    print(f"onnxruntime load:      {k['ort_load_s']:.1f} s, peak RSS {mib(k['ort_peak_rss'])}")
    print(f"parity vs JAX:         {'ok' if r['parity_ok'] else 'MISMATCH'}: {r['parity']}")
    if not r["parity_ok"] or "big.onnx.data" not in c["files"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
