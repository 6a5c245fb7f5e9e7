"""One measurement in its own process: convert one model with one converter, print JSON.

    <venv>/bin/python bench/measure.py --converter ours|ref --model seed_mlp --mode first|warm --out DIR

Runs in our venv (converter "ours" = jax2onnx_lab) or the reference's (converter "ref" = jax2onnx);
both expose `to_onnx(fn, inputs, return_mode="file", output_path=...)`. The last stdout line is
`RESULT <json>`; everything else is logging. bench.py spawns one per measurement.

- first: a fresh process converts once. Times the imports and the conversion call separately
  (ours starts its Node process inside that call), and reads peak RSS right after it.
- warm: up to 3 warm-up conversions, then the median of --runs; the same for jax.make_jaxpr (a
  fresh trace each time), the tracing both converters pay; then checks the last file (kept)
  against JAX in onnxruntime.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

CONVERTER_MODULES = {"ours": "jax2onnx_lab", "ref": "jax2onnx"}


def peak_rss_bytes() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def vm_hwm_bytes(pid: int) -> int | None:
    """A live process's peak RSS (VmHWM); read before it exits, since getrusage only sees reaped children."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of a live process so far, in ns resolution (schedstat's first
    field: time on a CPU). Unlike wall time it does not count waiting for the machine's other
    work, which on a shared 2-core machine is most of a small model's wall time."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total / 1e9


def our_node_process() -> Any | None:
    """Our converter's Node child (jax2onnx_lab._node), if this process started one."""
    try:
        from jax2onnx_lab import _node
    except ImportError:
        return None
    # _node._process, not _node.converter(): the latter would start a Node process to inspect.
    return _node._process._proc if _node._process is not None else None


def fresh_output(out_dir: str, run: int) -> str:
    """A path in an empty directory, so no run sees another's files (external data is appended to, not replaced)."""
    directory = os.path.join(out_dir, f"run_{run}")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    return os.path.join(directory, "model.onnx")


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def versions(converter_module: Any) -> dict[str, Any]:
    import flax
    import jax
    import onnx
    import onnxruntime

    info = {
        "python": platform.python_version(),
        "executable": sys.executable,
        "jax": jax.__version__,
        "flax": flax.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "converter": getattr(converter_module, "__version__", None) or _dist_version(converter_module.__name__),
    }
    node = our_node_process()
    if node is not None:
        exe = node.args[0]
        info["node"] = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    return info


def _dist_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def wait_for_weights(model: Any) -> None:
    import jax

    nnx = sys.modules.get("flax.nnx")
    tree = nnx.state(model) if nnx is not None and isinstance(model, nnx.Module) else model
    jax.block_until_ready([x for x in jax.tree_util.tree_leaves(tree) if isinstance(x, jax.Array)])


def measure_first(to_onnx: Callable[..., Any], model: Any, inputs: list[Any], out_dir: str) -> dict[str, Any]:
    path = fresh_output(out_dir, 0)
    rss_before = peak_rss_bytes()
    seconds = timed(lambda: to_onnx(model, inputs, return_mode="file", output_path=path))
    result: dict[str, Any] = {"convert_s": seconds, "peak_rss": peak_rss_bytes(), "peak_rss_before_convert": rss_before}
    node = our_node_process()
    if node is not None:
        result["node_peak_rss"] = vm_hwm_bytes(node.pid)
    return result


def measure_warm(to_onnx: Callable[..., Any], model: Any, subject: Any, out_dir: str, runs: int, kwargs: dict[str, Any], warmups: int | None = None) -> dict[str, Any]:
    import jax

    import onnx_checks
    import subjects

    path = fresh_output(out_dir, 0)
    # Warm means steady state: our Node process optimizes its hot code over the first few
    # conversions (measured on the ResNet example: 175, 67, 53, then ~35 ms), so both converters
    # get up to 3 warm-ups (1 for the big models, whose cost is their weights).
    for _ in range(min(3, runs) if warmups is None else warmups):
        to_onnx(model, list(subject.inputs), return_mode="file", output_path=path, **kwargs)
    # CPU of this process and our Node child (started by the warm-ups), for both converters.
    node = our_node_process()
    pids = [os.getpid()] + ([node.pid] if node is not None else [])
    cpu = lambda: sum(cpu_seconds(p) for p in pids)  # noqa: E731

    def cpu_timed(call: Callable[[], Any]) -> tuple[float, float]:
        start = cpu()
        seconds = timed(call)
        return seconds, cpu() - start

    convert_s, convert_cpu_s = [], []
    for run in range(1, runs + 1):
        path = fresh_output(out_dir, run)
        wall, used = cpu_timed(lambda: to_onnx(model, list(subject.inputs), return_mode="file", output_path=path, **kwargs))
        convert_s.append(wall)
        convert_cpu_s.append(used)
        if run > 1:
            shutil.rmtree(os.path.join(out_dir, f"run_{run - 1}"))
    shutil.rmtree(os.path.join(out_dir, "run_0"))

    # The same symbolic inputs both converters build from: make_jaxpr on them is their common
    # floor. Traced anew each time, through a fresh wrapper: jax.make_jaxpr(model) keeps a trace
    # per callable object and returns it again, constants included (after a weight update, the
    # old weights: python/tests/test_to_onnx.py), so a converter cannot use it, and a floor made
    # of those cache hits is not tracing (ViT: 10-11 ms cached, 20 ms traced). The cached number
    # is kept beside it.
    abstract = subjects.abstract_inputs(subject)
    cached_trace = lambda: jax.make_jaxpr(model)(*abstract)  # noqa: E731
    trace = lambda: jax.make_jaxpr(lambda *xs: model(*xs))(*abstract)  # noqa: E731
    try:
        trace()  # warm-up
        cached_trace()
    except ValueError:
        # NNX transforms inside the model (nnx.scan over layers) cannot trace the module as a
        # closure ("different trace level"): the functional form, its state as an argument.
        from flax import nnx

        graphdef, state = nnx.split(model)
        trace = lambda: jax.make_jaxpr(lambda st, *xs: nnx.merge(graphdef, st)(*xs))(state, *abstract)  # noqa: E731
        cached_trace = None
        trace()
    jaxpr = [cpu_timed(trace) for _ in range(max(runs, 5))]
    jaxpr_s = [wall for wall, _ in jaxpr]
    cached_s = [timed(cached_trace) for _ in range(max(runs, 5))] if cached_trace else None

    result: dict[str, Any] = {
        "runs": runs,
        "convert_s": statistics.median(convert_s),
        "convert_s_all": convert_s,
        "make_jaxpr_s": statistics.median(jaxpr_s),
        "convert_cpu_s": statistics.median(convert_cpu_s),
        "make_jaxpr_cpu_s": statistics.median([used for _, used in jaxpr]),
        "make_jaxpr_cached_s": statistics.median(cached_s) if cached_s else None,
        "file_bytes": onnx_checks.files_size(os.path.dirname(path)),
        **onnx_checks.graph_summary(path),
    }
    if node is not None:
        result["node_peak_rss"] = vm_hwm_bytes(node.pid)
        result.update(write_throughput(model, subject, os.path.dirname(path)))
    result["onnx_path"] = os.path.abspath(path)  # kept for bench/ort_latency.py and for inspection
    xs = subjects.concrete_inputs(subject)
    try:
        expected = onnx_checks.expected_outputs(model, xs)
    except Exception:  # noqa: BLE001 - jit-free eager call first; some models only run under jit
        expected = onnx_checks.expected_outputs(jax.jit(lambda *a: model(*a)), xs)
    result.update(onnx_checks.parity(subject, expected, path, xs))
    return result


def write_throughput(model: Any, subject: Any, out_dir: str, rounds: int = 3) -> dict[str, Any]:
    """Our writer (write_model_files: temp files, write, rename; as to_onnx writes by default)
    against a plain copy of the same bytes to the same directory (one new file, one write), and
    the same two with fsync (to_onnx(..., fsync=True) against write + fsync), rounds interleaved;
    min of each. Every write makes new files (see `settled`)."""
    from jax2onnx_lab._capture import capture
    from jax2onnx_lab._to_onnx import convert_capture, write_chunks, write_model_files

    cap = capture(model, list(subject.inputs))
    ours_path = os.path.join(out_dir, "write_ours.onnx")
    copy_path = os.path.join(out_dir, "write_copy.bin")
    # The data file beside ours_path: the name the writer writes (and `settled` removes).
    reply, payload = convert_capture(cap, external_data=os.path.basename(ours_path) + ".data")
    chunks = (reply.get("data") or {}).get("chunks", []) + reply["chunks"]
    # The plain copy's source: the very bytes our writer writes, materialized once beforehand.
    import io

    staged = io.BytesIO()
    write_chunks(staged, cap, chunks, payload)
    data = staged.getbuffer()

    def plain_copy(fsync: bool) -> None:
        with open(copy_path, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())

    def settled(call: Callable[[], Any]) -> float:
        # Each write makes new files: the previous ones are removed first (renaming over a
        # 2.4 GB data file left by the round before frees its blocks inside the timed write:
        # 0.29 of the plain copy's rate in the 22:52 run, 0.72 with nothing to replace). Then no
        # dirty pages of the one before (os.sync), so none of them pays for another's writeback: on the
        # 2.4 GB model the unsettled order put our writer at 0.30 of the plain copy in one run
        # and 0.86 with both fsync-ed; and a plain copy truncating its own cached file was
        # measured at 3700 MB/s once, several times this disk's rate for new files.
        for p in (ours_path, ours_path + ".data", copy_path):
            if os.path.exists(p):
                os.unlink(p)
        os.sync()
        return timed(call)

    ours_s, copy_s, ours_fsync_s, copy_fsync_s = [], [], [], []
    for _ in range(rounds):
        ours_s.append(settled(lambda: write_model_files(ours_path, cap, reply, payload)))
        copy_s.append(settled(lambda: plain_copy(False)))
        ours_fsync_s.append(settled(lambda: write_model_files(ours_path, cap, reply, payload, fsync=True)))
        copy_fsync_s.append(settled(lambda: plain_copy(True)))
    written = data.nbytes
    del data
    staged.close()
    for p in (ours_path, ours_path + ".data", copy_path):
        if os.path.exists(p):
            os.unlink(p)
    return {
        "write_bytes": written,
        "write_s": min(ours_s),
        "copy_s": min(copy_s),
        "write_fsync_s": min(ours_fsync_s),
        "copy_fsync_s": min(copy_fsync_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--converter", choices=sorted(CONVERTER_MODULES), required=True)
    parser.add_argument("--model", required=True, help="a bench model (bench/models.py) or example:NAME (examples/)")
    parser.add_argument("--mode", choices=("first", "warm"), required=True)
    parser.add_argument("--out", required=True, help="directory for this measurement's ONNX files")
    parser.add_argument("--runs", type=int, default=5, help="timed runs in warm mode")
    parser.add_argument("--warmups", type=int, help="conversions before the timed ones in warm mode (default: up to 3); "
                        "many (50) measure the steady state, once our Node process has optimized its code")
    args = parser.parse_args()

    start = time.perf_counter()
    import jax  # noqa: F401
    import flax  # noqa: F401
    import subjects

    imports_base_s = time.perf_counter() - start
    start = time.perf_counter()
    converter = importlib.import_module(CONVERTER_MODULES[args.converter])
    import_converter_s = time.perf_counter() - start

    subject = subjects.get(args.model)
    model = subject.build()
    # JAX dispatches the model's initializers asynchronously: without this wait the first
    # conversion pays for computing the weights themselves (measured: 7.3 s of ours on the 67M
    # MLP at load ~7, 0.4 s warm), which is the model's cost, not the converter's.
    wait_for_weights(model)
    kwargs = {"opset": subject.opset} if subject.opset else {}
    result: dict[str, Any] = {
        "converter": args.converter,
        "model": args.model,
        "mode": args.mode,
        "params": subjects.parameter_count(model),
        "inputs": [list(map(str, getattr(s, "shape", s))) for s in subject.inputs],
        "import_base_s": imports_base_s,
        "import_converter_s": import_converter_s,
    }
    if args.mode == "first":
        result.update(measure_first(lambda *a, **k: converter.to_onnx(*a, **k, **kwargs), model, list(subject.inputs), args.out))
    else:
        result.update(measure_warm(converter.to_onnx, model, subject, args.out, args.runs, kwargs, args.warmups))
    result["versions"] = versions(converter)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
