"""Scaling curves (ours): conversion time and memory against eqns and against weight bytes.

    .venv/bin/python bench/scaling.py [--eqns 1000 10000 100000] [--weights-mb 100 1000 3000] [--json OUT]

Each point is its own fresh process (bench/generated.py builds the program), so each peak RSS is
its own. In it the converter is started and warmed on a tiny program first, then the point's
program is traced once with `jax.make_jaxpr` (what any converter pays) and converted once with
`to_onnx(return_mode="file")` into bench/out/scaling/ (deleted after). Printed as a table per
curve with cost per eqn / per MB, so linear growth reads as a flat column; the rows also go to
bench/results.md when bench/bench.py runs this.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from measure import peak_rss_bytes, vm_hwm_bytes

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "scaling"
MIB = 2**20


def point(kind: str, size: int) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    import jax
    from jax import export as jax_export

    import generated
    from jax2onnx_lab import to_onnx
    from jax2onnx_lab._node import converter

    out = OUT / f"{kind}_{size}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tiny, tiny_spec = generated.eqn_program(26)
    to_onnx(tiny, [tiny_spec], return_mode="file", output_path=str(out / "warmup.onnx"))
    baseline = peak_rss_bytes()
    if kind == "eqns":
        program, spec = generated.eqn_program(size)
        weight_bytes = 0
    else:
        program, spec = generated.weight_program(size * 10**6)
        weight_bytes = generated.weight_bytes(program)
    built_rss = peak_rss_bytes()
    abstract = jax.ShapeDtypeStruct(jax_export.symbolic_shape(", ".join(map(str, spec))), "float32")
    start = time.perf_counter()
    jaxpr = jax.make_jaxpr(program)(abstract)
    jaxpr_s = time.perf_counter() - start
    eqns = len(jaxpr.jaxpr.eqns)
    del jaxpr
    start = time.perf_counter()
    to_onnx(program, [spec], return_mode="file", output_path=str(out / "model.onnx"))
    convert_s = time.perf_counter() - start
    files = sum(p.stat().st_size for p in out.iterdir() if p.name.startswith("model.onnx"))
    result = {
        "kind": kind,
        "size": size,
        "eqns": eqns,
        "weight_bytes": weight_bytes,
        "file_bytes": files,
        "make_jaxpr_s": jaxpr_s,
        "convert_s": convert_s,
        "baseline_rss": baseline,
        "built_rss": built_rss,
        "peak_rss": peak_rss_bytes(),
        "node_peak_rss": vm_hwm_bytes(converter().pid),
    }
    shutil.rmtree(out, ignore_errors=True)
    return result


def run_point(kind: str, size: int, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
    cmd = [sys.executable, __file__, "--point", kind, str(size)]
    print(f"  scaling {kind} {size} ...", end=" ", flush=True)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=BENCH)
    except subprocess.TimeoutExpired:
        print("timed out")
        shutil.rmtree(OUT / f"{kind}_{size}", ignore_errors=True)
        return {"kind": kind, "size": size, "error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        print(f"failed (exit {done.returncode})")
        return {"kind": kind, "size": size, "error": "\n".join(done.stderr.strip().splitlines()[-8:])}
    r = json.loads(lines[-1][len("RESULT ") :])
    print(f"{r['convert_s']:.2f} s")
    return r


def table(points: list[dict[str, Any]]) -> list[str]:
    """Markdown rows, one table per curve; the per-unit columns show (non)linearity."""
    lines: list[str] = []
    eqns = [p for p in points if p["kind"] == "eqns"]
    weights = [p for p in points if p["kind"] == "weights"]
    if eqns:
        lines += [
            "| eqns | make_jaxpr (s) | to_onnx (s) | to_onnx µs / eqn | peak RSS rise, Python (MiB) | Node peak RSS (MiB) | file (MB) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in eqns:
            if "error" in p:
                lines.append(f"| ~{p['size']} | failed: {p['error'].splitlines()[-1] if p['error'] else '?'} | | | | | |")
                continue
            lines.append(
                f"| {p['eqns']} | {p['make_jaxpr_s']:.2f} | {p['convert_s']:.2f} | {p['convert_s'] / p['eqns'] * 1e6:.0f} "
                f"| {(p['peak_rss'] - p['baseline_rss']) / MIB:.0f} | {(p['node_peak_rss'] or 0) / MIB:.0f} | {p['file_bytes'] / 1e6:.1f} |"
            )
        lines.append("")
    if weights:
        lines += [
            "| weights (MB) | to_onnx (s) | to_onnx MB/s | peak RSS rise, Python (MiB) | rise / weights | Node peak RSS (MiB) | files (MB) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in weights:
            if "error" in p:
                lines.append(f"| ~{p['size']} | failed: {p['error'].splitlines()[-1] if p['error'] else '?'} | | | | | |")
                continue
            rise = p["peak_rss"] - p["baseline_rss"]
            lines.append(
                f"| {p['weight_bytes'] / 1e6:.0f} | {p['convert_s']:.2f} | {p['weight_bytes'] / 1e6 / p['convert_s']:.0f} "
                f"| {rise / MIB:.0f} | {rise / p['weight_bytes']:.2f} | {(p['node_peak_rss'] or 0) / MIB:.0f} | {p['file_bytes'] / 1e6:.0f} |"
            )
        lines.append("")
    return lines


def linearity(points: list[dict[str, Any]]) -> float | None:
    """Cost per eqn at the largest size over cost per eqn at the smallest (1.0 = linear)."""
    good = sorted((p for p in points if p["kind"] == "eqns" and "error" not in p), key=lambda p: p["eqns"])
    if len(good) < 2:
        return None
    per = lambda p: p["convert_s"] / p["eqns"]  # noqa: E731
    return per(good[-1]) / per(good[0])


def run(eqns: list[int], weights_mb: list[int], timeout: float = 1200) -> list[dict[str, Any]]:
    points = [run_point("eqns", n, timeout) for n in eqns]
    points += [run_point("weights", mb, timeout) for mb in weights_mb]
    shutil.rmtree(OUT, ignore_errors=True)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eqns", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--weights-mb", type=int, nargs="*", default=[100, 1000, 3000])
    parser.add_argument("--json", help="also write the points here")
    parser.add_argument("--point", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.point:
        print("RESULT " + json.dumps(point(args.point[0], int(args.point[1]))), flush=True)
        return
    points = run(args.eqns, args.weights_mb)
    print("\n".join(table(points)))
    ratio = linearity(points)
    if ratio is not None:
        print(f"cost per eqn, largest / smallest program: {ratio:.2f} (1.0 = linear)")
    if args.json:
        Path(args.json).write_text(json.dumps(points, indent=1))


if __name__ == "__main__":
    main()
