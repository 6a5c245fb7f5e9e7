"""A smoke run of the benchmark (bench/): tiny models, ours only, no reference, no timing checks.

It runs what bench/bench.py runs (a measure.py child on the seed MLP; one scaling point on a
generated ~26-eqn program, in this process) and renders bench/results.md's layout from their results, so a
change that breaks the bench shows here rather than in the next long run. Nothing here asserts
on a time: only that every column the issue asks for got a value and the file passed parity.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _child(args: list[str], tmp_path: Path) -> dict:
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, env=env, cwd=BENCH)
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1:]
    return json.loads(line[len("RESULT ") :])


def test_bench_smoke_run(tmp_path: Path) -> None:
    warm = _child(["measure.py", "--converter", "ours", "--model", "seed_mlp", "--mode", "warm", "--runs", "1", "--out", str(tmp_path / "warm")], tmp_path)
    assert warm["parity_ok"], warm["parity"]
    for key in ("convert_s", "make_jaxpr_s", "convert_cpu_s", "make_jaxpr_cpu_s", "nodes", "initializers", "file_bytes", "node_peak_rss", "write_s", "copy_s", "write_fsync_s", "copy_fsync_s", "write_bytes"):
        assert warm.get(key) is not None, key
    sys.path.insert(0, str(BENCH))
    try:
        import report
        import scaling

        # In this process (its Node converter is running already): one child fewer.
        point = scaling.point("eqns", 26)
    finally:
        sys.path.remove(str(BENCH))
    assert point["eqns"] > 0 and point["peak_rss"] >= point["baseline_rss"]
    results = {"seed_mlp": {"ours": {"warm": warm, "first": {"convert_s": warm["convert_s"], "peak_rss": 1, "runs": 1}, "ort": {}}}}
    machine = {"date": "-", "nproc": 2, "usable_cpus": 2, "cpu": "-", "memory_gib": 1, "kernel": "-", "source": "-", "loadavg_start": (0, 0, 0), "loadavg_end": (0, 0, 0)}
    text = report.markdown(results, machine, "smoke run", [point], command="pytest")
    assert "## Summary" in text and "## Targets (issue 10)" in text and "| seed_mlp |" in text
    assert scaling.table([point])[0].startswith("| eqns |")
