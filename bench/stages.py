"""Where our warm conversion spends its time, stage by stage, in one process (ours only).

    .venv/bin/python bench/stages.py [--model seed_mlp] [--runs 30] [--profile]

Each stage is timed in rounds interleaved with the others (a shared machine drifts), and the
minimum and median are printed: the minimum is the cost, the median shows the noise. With
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

import models


def stages(model: Any, inputs: list[Any], out_dir: str) -> dict[str, Callable[[], Any]]:
    import jax
    from jax import export as jax_export

    from jax2onnx_lab import to_onnx
    from jax2onnx_lab._capture import capture
    from jax2onnx_lab._to_onnx import convert_capture, write_model_files

    path = os.path.join(out_dir, "model.onnx")
    (shape,) = inputs
    spec = jax.ShapeDtypeStruct(jax_export.symbolic_shape(", ".join(map(str, shape))), "float32")
    cap = capture(model, inputs)
    reply, payload = convert_capture(cap, external_data="model.onnx.data")
    return {
        # What bench/measure.py subtracts: the same callable traced on one reused spec.
        "make_jaxpr": lambda: jax.make_jaxpr(model)(spec),
        "capture": lambda: capture(model, inputs),
        # The header as JSON and the buffers as views: what crosses to Node.
        "  encode container (of capture)": lambda: cap.parts(),
        "convert in Node (round trip)": lambda: convert_capture(cap, external_data="model.onnx.data"),
        "write files": lambda: write_model_files(path, cap, reply, payload),
        "to_onnx": lambda: to_onnx(model, inputs, return_mode="file", output_path=path),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="seed_mlp", choices=sorted(models.MODELS))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of warm to_onnx calls")
    args = parser.parse_args()

    spec = models.MODELS[args.model]
    model = models.build_eval(args.model)
    out_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out_root, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_root) as out:
        steps = stages(model, spec.inputs, out)
        for step in steps.values():  # warm-up
            step()
        seconds: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.runs):
            for name, step in steps.items():
                start = time.perf_counter()
                step()
                seconds[name].append(time.perf_counter() - start)
        print(f"{args.model}: {args.runs} interleaved rounds; load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
        width = max(map(len, seconds))
        for name, s in seconds.items():
            print(f"  {name.ljust(width)}  min {min(s) * 1e3:9.2f} ms   median {statistics.median(s) * 1e3:9.2f} ms")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.runs):
                steps["to_onnx"]()
            profile.disable()
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
