"""Runs every measurement (bench/measure.py) in its own process and reports ours vs the reference.

    .venv/bin/python bench/bench.py --ref-python bench/.venv-ref/bin/python [--first-runs 3]

Stdlib only. bench/run.sh is the usual entry point: it builds the reference venv first. When the
reference is unavailable (--ref-error says why), our numbers are still measured and reported.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import report
import scaling
import subjects

BENCH = Path(__file__).resolve().parent
MEASURE = BENCH / "measure.py"
ORT_LATENCY = BENCH / "ort_latency.py"
OUT = BENCH / "out"

# The big model last: its files (2 x 2.4 GB) are deleted when it is done.
BIG_MODELS = ("mlp_67m", "mlp_600m")
# A child that takes longer is stuck (the slowest, the reference's warm 600M runs, take ~2 min).
CHILD_TIMEOUT_S = 900
FIRST_RUN_KEYS = ("import_base_s", "import_converter_s", "convert_s", "peak_rss", "peak_rss_before_convert", "node_peak_rss")


def run_measure(python: str, converter: str, model: str, mode: str, runs: int, tag: str) -> dict[str, Any]:
    """One measure.py process; returns its result, or {"error": ...} so one failure does not stop the bench."""
    cmd = [python, str(MEASURE), "--converter", converter, "--model", model, "--mode", mode,
           "--runs", str(runs), "--out", str(out_dir(model) / converter / tag)]  # fmt: skip
    print(f"  {converter:4} {model:22} {mode:5} {tag:8} ...", end=" ", flush=True)
    result = run_child(cmd)
    if "error" not in result:
        print(f"{result['convert_s']:.3f} s")
    return result


def out_dir(model: str) -> Path:
    return OUT / model.replace(":", "_")


def run_ort_latency(python: str, subject: subjects.Subject, warm: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """onnxruntime latency of the files whose parity passed, timed side by side in one process."""
    files = {conv: r["onnx_path"] for conv, r in warm.items() if r.get("parity_ok")}
    if not files:
        return {"error": "no file passed parity"}
    batch = ", ".join(f"{k}={v}" for k, v in subject.dims.items())
    cmd = [python, str(ORT_LATENCY), "--model", subject.name, "--rounds", str(subject.ort_rounds),
           *(f"{conv}={path}" for conv, path in files.items())]  # fmt: skip
    print(f"  ort latency {subject.name:22} {batch} ...", end=" ", flush=True)
    result = run_child(cmd)
    if "error" not in result:
        print(", ".join(f"{conv} {s * 1e3:.3f} ms" for conv, s in result.items()))
    return {"batch": batch, **result}


def ort_entry(latency: dict[str, Any], conv: str) -> dict[str, Any]:
    """One converter's share of the side-by-side latency result."""
    if "error" in latency:
        return {"error": latency["error"]}
    return {"batch": latency["batch"], "latency_s": latency.get(conv)}


def run_child(cmd: list[str]) -> dict[str, Any]:
    """Runs a bench child and parses its `RESULT <json>` line; failures become {"error": ...}."""
    # JAX probes for accelerators and logs about it; the machine has none.
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "jax"}
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, env=env, cwd=BENCH)
    except subprocess.TimeoutExpired:
        print("timed out")
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    except OSError as e:
        print("could not start")
        return {"error": f"could not start {cmd[0]}: {e}"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        print(f"failed (exit {done.returncode})")
        return {"error": f"exit {done.returncode}:\n{tail}"}
    return json.loads(lines[-1][len("RESULT ") :])


def median_of_first_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-metric medians over the fresh-process runs that succeeded."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"error": runs[0]["error"] if runs else "no runs"}
    merged: dict[str, Any] = {"runs": len(good), "convert_s_all": [r["convert_s"] for r in good]}
    for key in FIRST_RUN_KEYS:
        values = [r[key] for r in good if r.get(key) is not None]
        if values:
            merged[key] = statistics.median(values)
    merged["versions"] = good[0]["versions"]
    return merged


def source_info() -> str:
    """Which code was measured: the commit, and whether tracked files had uncommitted edits."""
    git = lambda *a: subprocess.run(["git", "-C", str(BENCH.parent), *a], capture_output=True, text=True, timeout=30).stdout.strip()  # noqa: E731
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"{commit or 'unknown'}{' + uncommitted edits' if dirty else ''}"


def machine_info() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:"))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "loadavg_start": os.getloadavg(),
        "source": source_info(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours-python", default=str(BENCH.parent / ".venv" / "bin" / "python"))
    parser.add_argument("--ref-python", default=str(BENCH / ".venv-ref" / "bin" / "python"))
    parser.add_argument("--ref-error", default="", help="why the reference venv is unusable; skips the reference")
    parser.add_argument("--first-runs", type=int, help="fresh processes per model and converter (default: per model)")
    parser.add_argument("--models", nargs="+", default=None, help="bench models and example:NAME (default: all, the catalog included)")
    parser.add_argument("--eqns", type=int, nargs="*", default=[1000, 10000, 100000], help="scaling curve: generated programs of ~N eqns")
    parser.add_argument("--weights-mb", type=int, nargs="*", default=[100, 1000, 3000], help="scaling curve: weights of N MB")
    parser.add_argument("--results", default=str(BENCH / "results.md"))
    args = parser.parse_args()
    models = args.models or [*(n for n in subjects.names() if n != "mlp_600m"), "mlp_600m"]

    pythons = {"ours": args.ours_python}
    if args.ref_error:
        print(f"reference unavailable, measuring ours only: {args.ref_error}", file=sys.stderr)
    else:
        pythons["ref"] = args.ref_python

    machine = machine_info()
    command = "bash bench/run.sh" + "".join(f" {a}" for a in sys.argv[1:] if not a.startswith("--ref-error") and a != args.ref_error)
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for model in models:
        subject = subjects.get(model)
        print(f"{model}:")
        warm = {conv: run_measure(py, conv, model, "warm", subject.warm_runs, "warm") for conv, py in pythons.items()}
        # Our venv's onnxruntime times both files: the same version as the reference venv's (requirements-ref.txt).
        latency = run_ort_latency(args.ours_python, subject, warm)
        first_runs: dict[str, list[dict[str, Any]]] = {conv: [] for conv in pythons}
        # Interleaved, so drift in the machine's load hits both converters alike.
        for i in range(args.first_runs or subject.first_runs):
            for conv, py in pythons.items():
                first_runs[conv].append(run_measure(py, conv, model, "first", 1, f"first_{i}"))
        results[model] = {
            conv: {"warm": warm[conv], "first": median_of_first_runs(first_runs[conv]), "ort": ort_entry(latency, conv)}
            for conv in pythons
        }
        if model in BIG_MODELS:
            shutil.rmtree(out_dir(model), ignore_errors=True)  # gigabytes, measured already
        # Written after every subject, so a run that is stopped still leaves what it measured.
        partial = {**machine, "loadavg_end": os.getloadavg(), "source": f"{machine['source']}; PARTIAL: {len(results)} of {len(models)} subjects, no scaling yet"}
        Path(args.results).write_text(report.markdown(results, partial, args.ref_error, command=command))
    print("scaling (ours):")
    points = scaling.run(args.eqns, args.weights_mb)
    machine["loadavg_end"] = os.getloadavg()

    text = report.console(results, machine, args.ref_error)
    print()
    print(text)
    print("\n".join(scaling.table(points)))
    Path(args.results).write_text(report.markdown(results, machine, args.ref_error, points, command=command))
    print(f"\nwrote {os.path.relpath(args.results)}")
    failed = [f"{m}/{c}" for m, by_conv in results.items() for c, r in by_conv.items() if not r["warm"].get("parity_ok")]
    if failed:
        print(f"PARITY FAILED or not checked for: {', '.join(failed)}: their numbers are of a wrong or missing model", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
