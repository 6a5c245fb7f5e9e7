"""Turns bench.py's results into the printed table and bench/results.md (same rows, two layouts)."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

MIB = 2**20
CONVERTERS = ("ours", "ref")


@dataclasses.dataclass(frozen=True)
class Metric:
    label: str
    value: Callable[[dict[str, Any]], float | None]  # from one converter's {"first": ..., "warm": ...}
    fmt: str  # format spec for the value
    ratio: bool = True  # a ratio of max abs errors says nothing


def _get(phase: str, key: str, scale: float = 1.0) -> Callable[[dict[str, Any]], float | None]:
    def value(r: dict[str, Any]) -> float | None:
        v = r.get(phase, {}).get(key)
        return None if v is None else v / scale

    return value


def _minus(phase: str, a: str, b: str, scale: float = 1.0) -> Callable[[dict[str, Any]], float | None]:
    def value(r: dict[str, Any]) -> float | None:
        x, y = r.get(phase, {}).get(a), r.get(phase, {}).get(b)
        return None if x is None or y is None else (x - y) / scale

    return value


def _python_plus_node(r: dict[str, Any]) -> float | None:
    # The fair memory comparison: ours is two processes, the reference one.
    first = r.get("first", {})
    if first.get("peak_rss") is None:
        return None
    return (first["peak_rss"] + (first.get("node_peak_rss") or 0)) / MIB


def _write_fraction(r: dict[str, Any], suffix: str = "") -> float | None:
    """Our writer's throughput as a fraction of a plain copy's (same bytes, same disk; suffix
    "_fsync": both flushed to the disk)."""
    w = r.get("warm", {})
    return w[f"copy{suffix}_s"] / w[f"write{suffix}_s"] if w.get(f"write{suffix}_s") else None


def _write_mb_s(key: str) -> Callable[[dict[str, Any]], float | None]:
    def value(r: dict[str, Any]) -> float | None:
        w = r.get("warm", {})
        return w["write_bytes"] / 1e6 / w[key] if w.get(key) else None

    return value


def metrics(model_results: dict[str, dict[str, Any]]) -> list[Metric]:
    warm = next((r["warm"] for r in model_results.values() if "runs" in r["warm"]), {})
    first_runs = next((r["first"]["runs"] for r in model_results.values() if "runs" in r["first"]), 0)
    batch = next((r["ort"]["batch"] for r in model_results.values() if "batch" in r.get("ort", {})), "?")
    return [
        Metric("import jax + flax + models (s)", _get("first", "import_base_s"), ".3f"),
        Metric("import converter (s)", _get("first", "import_converter_s"), ".3f"),
        Metric(f"first conversion, fresh process, median of {first_runs} (s)", _get("first", "convert_s"), ".3f"),
        Metric(f"warm conversion, median of {warm.get('runs', '?')} (s)", _get("warm", "convert_s"), ".4f"),
        Metric("warm jax.make_jaxpr, same callable, traced anew (s)", _get("warm", "make_jaxpr_s"), ".4f"),
        Metric("  the same model object again: JAX's cached trace, stale after a weight update (s)", _get("warm", "make_jaxpr_cached_s"), ".4f"),
        Metric("warm conversion minus make_jaxpr (s)", _minus("warm", "convert_s", "make_jaxpr_s"), ".4f"),
        Metric("warm conversion, CPU time of all its processes (s)", _get("warm", "convert_cpu_s"), ".4f"),
        Metric("warm jax.make_jaxpr, CPU time (s)", _get("warm", "make_jaxpr_cpu_s"), ".4f"),
        Metric("  CPU overhead: conversion minus make_jaxpr (s)", _minus("warm", "convert_cpu_s", "make_jaxpr_cpu_s"), ".4f"),
        Metric("peak RSS, Python process (MiB)", _get("first", "peak_rss", MIB), ".0f"),
        Metric("  rise during the conversion call (MiB)", _minus("first", "peak_rss", "peak_rss_before_convert", MIB), ".0f"),
        Metric("peak RSS, Node process (MiB)", _get("first", "node_peak_rss", MIB), ".0f"),
        Metric("peak RSS, Python + Node (MiB)", _python_plus_node, ".0f"),
        Metric("ONNX nodes (main graph)", _get("warm", "nodes"), ".0f"),
        Metric("ONNX nodes in functions", _get("warm", "function_nodes"), ".0f"),
        Metric("initializers", _get("warm", "initializers"), ".0f"),
        Metric("file size incl. external data (MB)", _get("warm", "file_bytes", 1e6), ".3f"),
        Metric(f"onnxruntime latency, {batch}, 1 thread, side by side (ms)", _get("ort", "latency_s", 1e-3), ".3f"),
        Metric("our writer, as to_onnx writes (MB/s)", _write_mb_s("write_s"), ".0f", ratio=False),
        Metric("plain copy of the same bytes, one write (MB/s)", _write_mb_s("copy_s"), ".0f", ratio=False),
        Metric("  writer / plain copy throughput", _write_fraction, ".2f", ratio=False),
        Metric("our writer with fsync=True (MB/s)", _write_mb_s("write_fsync_s"), ".0f", ratio=False),
        Metric("plain copy, write + fsync (MB/s)", _write_mb_s("copy_fsync_s"), ".0f", ratio=False),
        Metric("  writer / plain copy throughput, both fsync", lambda r: _write_fraction(r, "_fsync"), ".2f", ratio=False),
        Metric("parity: max abs err vs JAX", _get("warm", "max_abs_err"), ".2g", ratio=False),
    ]


def table_rows(model_results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(metric, ours, reference, ours/ref) as text; '-' where a value is missing or meaningless."""
    rows = []
    for metric in metrics(model_results):
        values = {c: metric.value(model_results[c]) if c in model_results else None for c in CONVERTERS}
        ours, ref = values["ours"], values["ref"]
        ratio = f"{ours / ref:.2f}" if metric.ratio and ours is not None and ref else "-"
        rows.append((metric.label, *(("-" if v is None else format(v, metric.fmt)) for v in (ours, ref)), ratio))
    return rows


def _model_title(name: str, model_results: dict[str, dict[str, Any]]) -> str:
    r = next((r[p] for r in model_results.values() for p in ("warm", "first") if "params" in r[p]), {})
    inputs = ", ".join(str(tuple(s)) for s in r.get("inputs", []))
    params = f"{r['params']:,} parameters" if r.get("params") is not None else "parameters unknown"
    return f"{name}: {params}, input {inputs}"


def _notes(model_results: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for conv, r in model_results.items():
        for phase in ("warm", "first", "ort"):
            if "error" in r.get(phase, {}):
                lines.append(f"{conv} {phase}: FAILED: {r[phase]['error']}")
        if "error" not in r["warm"]:
            status = "ok" if r["warm"].get("parity_ok") else "MISMATCH: numbers above are of a wrong model"
            lines.append(f"{conv} parity vs JAX (onnxruntime): {status}, {r['warm'].get('parity')}")
            ops = ", ".join(f"{op} x{n}" for op, n in r["warm"].get("ops", {}).items())
            lines.append(f"{conv} ops (opset {r['warm'].get('opset')}): {ops}")
    return lines


def _versions(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for by_conv in results.values():
        for conv, r in by_conv.items():
            for phase in ("warm", "first"):
                if conv not in found and "versions" in r[phase]:
                    found[conv] = r[phase]["versions"]
    return found


def _version_line(conv: str, v: dict[str, Any]) -> str:
    name = "jax2onnx_lab (ours)" if conv == "ours" else "jax2onnx (reference)"
    node = f", node {v['node']}" if "node" in v else ""
    return (f"{name} {v.get('converter')}: python {v.get('python')}{node}, jax {v.get('jax')}, flax {v.get('flax')}, "
            f"onnx {v.get('onnx')}, onnxruntime {v.get('onnxruntime')}")  # fmt: skip


def _machine_line(m: dict[str, Any]) -> str:
    load = lambda xs: "/".join(f"{x:.2f}" for x in xs)  # noqa: E731
    return (f"{m['date']}; nproc {m['nproc']} ({m['usable_cpus']} usable), {m['cpu']}, {m['memory_gib']} GiB, "
            f"Linux {m['kernel']}; code {m['source']}; load average {load(m['loadavg_start'])} at start, {load(m['loadavg_end'])} at end")  # fmt: skip


def console(results: dict[str, dict[str, dict[str, Any]]], machine: dict[str, Any], ref_error: str) -> str:
    lines = [_machine_line(machine)]
    lines += [_version_line(c, v) for c, v in _versions(results).items()]
    if ref_error:
        lines.append(f"reference not measured: {ref_error}")
    lines.append("ours/ref < 1: ours is faster or smaller.")
    for name, model_results in results.items():
        rows = [("metric", "ours", "reference", "ours/ref"), *table_rows(model_results)]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines += ["", _model_title(name, model_results)]
        for row in rows:
            lines.append("  " + row[0].ljust(widths[0]) + "".join(cell.rjust(w + 3) for cell, w in zip(row[1:], widths[1:])))
        lines += ["  " + line for line in _notes(model_results)]
    return "\n".join(lines)


BIG_MODELS = ("mlp_67m", "mlp_600m")
TARGETS = {"overhead": 5.0, "first": 10.0, "rss": 0.5, "write": 0.5, "linear": 1.5}


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def _summary_values(r: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours, ref = r.get("ours", {}), r.get("ref", {})
    first = lambda c: _get("first", "convert_s")(c) if c else None  # noqa: E731
    over = lambda c: _minus("warm", "convert_s", "make_jaxpr_s")(c) if c else None  # noqa: E731
    over_cpu = lambda c: _minus("warm", "convert_cpu_s", "make_jaxpr_cpu_s")(c) if c else None  # noqa: E731
    rss = lambda c: _python_plus_node(c) if c else None  # noqa: E731
    lat = lambda c: _get("ort", "latency_s")(c) if c else None  # noqa: E731
    return {
        "first": (first(ours), first(ref)),
        "overhead": (over(ours), over(ref)),
        "overhead_cpu": (over_cpu(ours), over_cpu(ref)),
        "rss": (rss(ours), rss(ref)),
        "nodes": tuple(((c.get("warm", {}).get("nodes") or 0) + (c.get("warm", {}).get("function_nodes") or 0)) if "nodes" in c.get("warm", {}) else None for c in (ours, ref)),
        "inits": tuple(c.get("warm", {}).get("initializers") for c in (ours, ref)),
        "mb": tuple(_get("warm", "file_bytes", 1e6)(c) if c else None for c in (ours, ref)),
        "latency": (lat(ours), lat(ref)),
        "write": _write_fraction(ours) if ours else None,
    }


def summary(results: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """One row per model: the issue's columns, times as ref/ours (how many times faster ours is)."""
    lines = [
        "| model | first conversion ours / ref (s) | ref/ours | overhead beyond make_jaxpr, warm, ours / ref (ms) | ref/ours "
        "| the same in CPU time (ms) | ref/ours "
        "| peak RSS ours (Python + Node) / ref (MiB) | ours/ref | nodes ours / ref | initializers ours / ref | file ours / ref (MB) "
        "| onnxruntime ours / ref (ms) | writer / plain copy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        v = _summary_values(r)
        pair = lambda key, spec, scale=1.0: " / ".join(_fmt(x * scale if x is not None else None, spec) for x in v[key])  # noqa: E731
        lines.append(
            f"| {name} | {pair('first', '.3f')} | {_fmt(_ratio(v['first'][1], v['first'][0]), '.1f')} "
            f"| {pair('overhead', '.1f', 1e3)} | {_fmt(_ratio(v['overhead'][1], v['overhead'][0]), '.1f')} "
            f"| {pair('overhead_cpu', '.1f', 1e3)} | {_fmt(_ratio(v['overhead_cpu'][1], v['overhead_cpu'][0]), '.1f')} "
            f"| {pair('rss', '.0f')} | {_fmt(_ratio(*v['rss']), '.2f')} | {pair('nodes', '.0f')} | {pair('inits', '.0f')} "
            f"| {pair('mb', '.3f')} | {pair('latency', '.3f', 1e3)} | {_fmt(v['write'], '.2f')} |"
        )
    return lines


def targets(results: dict[str, dict[str, dict[str, Any]]], linearity: float | None) -> list[str]:
    """The issue's "Done means", each with what was measured and which models miss it."""
    vals = {name: _summary_values(r) for name, r in results.items()}

    def check(label: str, values: dict[str, float | None], ok: Callable[[float], bool], spec: str) -> str:
        measured = {n: x for n, x in values.items() if x is not None}
        if not measured:
            return f"- {label}: not measured"
        misses = [n for n, x in measured.items() if not ok(x)]
        shown = ", ".join(f"{n} {format(x, spec)}" for n, x in measured.items())
        verdict = "met" if not misses else f"MISSED by {', '.join(misses)}"
        return f"- {label}: {verdict} ({shown})"

    lines = [
        check(f"overhead ratio ref/ours >= {TARGETS['overhead']:.0f}x on every model",
              {n: _ratio(v["overhead"][1], v["overhead"][0]) for n, v in vals.items()}, lambda x: x >= TARGETS["overhead"], ".1f"),
        check(f"the same in CPU time (Python + Node for ours; not the target's measure, but one the machine's load does not move) >= {TARGETS['overhead']:.0f}x",
              {n: _ratio(v["overhead_cpu"][1], v["overhead_cpu"][0]) for n, v in vals.items()}, lambda x: x >= TARGETS["overhead"], ".1f"),
        check(f"cold first conversion ref/ours >= {TARGETS['first']:.0f}x",
              {n: _ratio(v["first"][1], v["first"][0]) for n, v in vals.items()}, lambda x: x >= TARGETS["first"], ".1f"),
        check(f"peak RSS ours/ref <= {TARGETS['rss']} on the big models",
              {n: _ratio(*v["rss"]) for n, v in vals.items() if n in BIG_MODELS}, lambda x: x <= TARGETS["rss"], ".2f"),
        check(f"weight writing >= {TARGETS['write']:.0%} of a plain copy's throughput (big models)",
              {n: v["write"] for n, v in vals.items() if n in BIG_MODELS}, lambda x: x >= TARGETS["write"], ".2f"),
        check(f"linear growth in eqns (cost per eqn, largest / smallest program <= {TARGETS['linear']})",
              {"generated programs": linearity}, lambda x: x <= TARGETS["linear"], ".2f"),
    ]  # fmt: skip
    return lines


def markdown(
    results: dict[str, dict[str, dict[str, Any]]], machine: dict[str, Any], ref_error: str, points: list[dict[str, Any]] | None = None, *, command: str
) -> str:
    import scaling

    points = points or []
    head = _markdown_head(results, machine, ref_error, command=command)
    body = [
        "",
        "## Summary",
        "",
        "Times as ref/ours: how many times faster ours is (> 1: ours faster). Memory as ours/ref (< 1: ours smaller). "
        "Overhead = warm conversion minus warm `jax.make_jaxpr` of the same callable on the same specs, traced anew each time "
        "(both converters pay it; `jax.make_jaxpr(model)` on the same module object returns a cached trace with the weights "
        "it had then, which no converter can use: that number is in the per-model tables), "
        "medians after 3 warm-ups; the same in CPU time counts every thread of the converting processes (ours: Python and "
        "Node, whose hand-offs wait for a free core on a loaded machine; the reference: one process). "
        "Nodes include function bodies. Writer / plain copy: our `write_model_files` as `to_onnx` writes (temp file, write, rename) against "
        "one `write` of the same bytes to the same directory, best of 3 interleaved (per model also both with `fsync`).",
        "",
        *summary(results),
        "",
        "## Targets (issue 10)",
        "",
        *targets(results, scaling.linearity(points)),
    ]
    if points:
        body += ["", "## Scaling (ours): generated programs (bench/generated.py), one fresh process per point", "", *scaling.table(points)]
        lin = scaling.linearity(points)
        if lin is not None:
            body.append(f"Cost per eqn, largest / smallest program: {lin:.2f} (1.0 = linear).")
    return "\n".join(head + body + ["", "## Per model"] + _markdown_models(results)) + "\n"


def _markdown_head(results: dict[str, dict[str, dict[str, Any]]], machine: dict[str, Any], ref_error: str, *, command: str) -> list[str]:
    out = [
        "# Benchmark: jax2onnx_lab (ours) vs jax2onnx (reference)",
        "",
        f"Generated by `{command}`; overwritten on every run. Numbers from one run on a shared, noisy machine: "
        "read ratios, not absolute times.",
        "",
        f"- Machine: {_machine_line(machine)}",
        *(f"- {_version_line(c, v)}" for c, v in _versions(results).items()),
    ]
    if ref_error:
        out.append(f"- Reference not measured: {ref_error}")
    out += [
        "",
        "How: each converter runs in its own venv and writes a file (`return_mode=\"file\"`). \"First\" is a fresh "
        "process per run, timing only the `to_onnx` call (ours starts its Node process inside it); \"warm\" is one "
        "process, median after a warm-up. Peak RSS is `getrusage` maxrss of the fresh process, and VmHWM of our Node "
        "child read before it exits. Every file is checked against JAX in onnxruntime; the files that pass are then timed "
        "in onnxruntime side by side in one process, rounds interleaved. ours/ref < 1: ours is faster or smaller.",
    ]
    return out


def _markdown_models(results: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    out: list[str] = []
    for name, model_results in results.items():
        out += ["", f"### {_model_title(name, model_results)}", "", "| metric | ours | reference | ours/ref |", "| --- | ---: | ---: | ---: |"]
        out += [f"| {label.strip()} | {ours} | {ref} | {ratio} |" for label, ours, ref, ratio in table_rows(model_results)]
        out += [""] + [f"- {line}" for line in _notes(model_results)]
        for conv, r in model_results.items():
            for phase in ("first", "warm"):
                if "convert_s_all" in r[phase]:
                    runs = ", ".join(f"{s:.3f}" for s in r[phase]["convert_s_all"])
                    out.append(f"- {conv} {phase} conversion runs (s): {runs}")
    return out
