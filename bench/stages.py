"""Where our warm conversion spends its time, stage by stage, in one process (ours only).

    .venv/bin/python bench/stages.py [--model seed_mlp|example:resnet|...] [--runs 30] [--profile]

Each stage is timed in rounds interleaved with the others (a shared machine drifts), and the
minimum and median are printed, in wall time and in CPU time of this process and of the Node
converter (schedstat, every thread): the minimum is the cost, the median shows the noise. With
--profile, a cProfile of warm `to_onnx` calls follows, sorted by own time. This is the
before/after tool for the hot-path fixes (bench/run.sh is the side-by-side comparison).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from typing import Any, Callable

import subjects
from measure import cpu_seconds, our_node_process


def stages(subject: subjects.Subject, model: Any, out_dir: str) -> dict[str, Callable[[], Any]]:
    import jax

    from jax2onnx_lab import to_onnx
    from jax2onnx_lab._capture import capture
    from jax2onnx_lab._to_onnx import convert_capture, write_model_files

    path = os.path.join(out_dir, "model.onnx")
    inputs = list(subject.inputs)
    abstract = subjects.abstract_inputs(subject)
    kwargs = {"opset": subject.opset} if subject.opset else {}
    cap = capture(model, inputs)
    reply, payload = convert_capture(cap, external_data="model.onnx.data", **kwargs)
    return {
        # What bench/measure.py subtracts: the same callable traced anew on the same specs (through
        # a fresh wrapper: jax.make_jaxpr(model) returns its cached trace, see measure.py).
        "make_jaxpr": lambda: jax.make_jaxpr(lambda *xs: model(*xs))(*abstract),
        "capture": lambda: capture(model, inputs),
        # The header as JSON and the buffers as views: what crosses to Node.
        "  encode container (of capture)": lambda: cap.parts(),
        "convert in Node (round trip)": lambda: convert_capture(cap, external_data="model.onnx.data", **kwargs),
        "write files": lambda: write_model_files(path, cap, reply, payload),
        "to_onnx": lambda: to_onnx(model, inputs, return_mode="file", output_path=path, **kwargs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="seed_mlp", choices=subjects.names())
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of warm to_onnx calls")
    args = parser.parse_args()

    subject = subjects.get(args.model)
    model = subject.build()
    out_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out_root, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_root) as out:
        steps = stages(subject, model, out)
        for step in steps.values():  # warm-up
            step()
        node = our_node_process()
        assert node is not None
        seconds: dict[str, list[float]] = {name: [] for name in steps}
        cpu_py: dict[str, list[float]] = {name: [] for name in steps}
        cpu_node: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.runs):
            for name, step in steps.items():
                py0, node0 = time.process_time(), cpu_seconds(node.pid)
                start = time.perf_counter()
                step()
                seconds[name].append(time.perf_counter() - start)
                cpu_py[name].append(time.process_time() - py0)
                cpu_node[name].append(cpu_seconds(node.pid) - node0)
        print(f"{args.model}: {args.runs} interleaved rounds; load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
        width = max(map(len, seconds))
        fmt = lambda s: f"{min(s) * 1e3:7.2f} / {statistics.median(s) * 1e3:7.2f}"  # noqa: E731
        print(f"  {'(ms, min / median)'.ljust(width)}  {'wall':>17}  {'CPU Python':>17}  {'CPU Node':>17}")
        for name, s in seconds.items():
            print(f"  {name.ljust(width)}  {fmt(s):>17}  {fmt(cpu_py[name]):>17}  {fmt(cpu_node[name]):>17}")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.runs):
                steps["to_onnx"]()
            profile.disable()
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
