"""Which ONNX form runs control flow fastest: Loop vs Scan for lax.scan, If vs Where for lax.cond
and lax.switch. Builds each candidate by hand (onnx.helper), checks both forms agree, and times
them in onnxruntime (Python) and onnxruntime-web (Node, wasm, one thread), interleaved.

    .venv/bin/python bench/control_forms.py [--rounds 200]

Prints one line per workload: median latency per form and runtime. The converter's choices
(plugins/control/*.ts) cite these numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parents[1]
F = TensorProto.FLOAT
OPSET = 21


def _model(nodes, inputs, outputs, inits=()) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=10)
    onnx.checker.check_model(model, full_check=True)
    return model


def _vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def rnn(form: str, steps: int, batch: int, hidden: int) -> onnx.ModelProto:
    """h' = tanh(x_t W + h U) over `steps`; returns the last h and every h (the ys)."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array((rng.standard_normal((hidden, hidden)) / hidden**0.5).astype(np.float32), "W")
    u = numpy_helper.from_array((rng.standard_normal((hidden, hidden)) / hidden**0.5).astype(np.float32), "U")
    cell = [
        helper.make_node("MatMul", ["x_t", "W"], ["xw"]),
        helper.make_node("MatMul", ["h", "U"], ["hu"]),
        helper.make_node("Add", ["xw", "hu"], ["pre"]),
        helper.make_node("Tanh", ["pre"], ["h_next"]),
        helper.make_node("Identity", ["h_next"], ["y_t"]),
    ]
    state = [batch, hidden]
    if form == "Scan":
        body = helper.make_graph(cell, "body", [_vi("h", state), _vi("x_t", state)], [_vi("h_next", state), _vi("y_t", state)])
        node = helper.make_node("Scan", ["h0", "xs"], ["h_last", "ys"], body=body, num_scan_inputs=1)
        extra = []
    else:
        gather = helper.make_node("Gather", ["xs", "i"], ["x_t"], axis=0)
        keep = helper.make_node("Identity", ["c_in"], ["c_out"])
        body = helper.make_graph(
            [gather, *cell, keep],
            "body",
            [_vi("i", [], TensorProto.INT64), _vi("c_in", [], TensorProto.BOOL), _vi("h", state)],
            [_vi("c_out", [], TensorProto.BOOL), _vi("h_next", state), _vi("y_t", state)],
        )
        node = helper.make_node("Loop", ["M", "", "h0"], ["h_last", "ys"], body=body)
        extra = [numpy_helper.from_array(np.array(steps, np.int64), "M")]
    return _model([node], [_vi("h0", state), _vi("xs", [steps, *state])], [_vi("h_last", state), _vi("ys", [steps, *state])], [w, u, *extra])


def counter(form: str, steps: int, size: int) -> onnx.ModelProto:
    """A scan without xs (fori_loop-like): c' = 0.99 c + 1, ys = c. Loop with a trip count, or
    Scan reading a dummy [steps] input only for its length."""
    state = [size]
    cell = [
        helper.make_node("Mul", ["c", "k"], ["ck"]),
        helper.make_node("Add", ["ck", "one"], ["c_next"]),
        helper.make_node("Identity", ["c"], ["y_t"]),
    ]
    consts = [numpy_helper.from_array(np.array(0.99, np.float32), "k"), numpy_helper.from_array(np.array(1.0, np.float32), "one")]
    if form == "Scan":
        body = helper.make_graph(cell, "body", [_vi("c", state), _vi("tick", [])], [_vi("c_next", state), _vi("y_t", state)])
        node = helper.make_node("Scan", ["c0", "ticks"], ["c_last", "ys"], body=body, num_scan_inputs=1)
        consts.append(numpy_helper.from_array(np.zeros(steps, np.float32), "ticks"))
    else:
        keep = helper.make_node("Identity", ["c_in"], ["c_out"])
        body = helper.make_graph(
            [*cell, keep],
            "body",
            [_vi("i", [], TensorProto.INT64), _vi("c_in", [], TensorProto.BOOL), _vi("c", state)],
            [_vi("c_out", [], TensorProto.BOOL), _vi("c_next", state), _vi("y_t", state)],
        )
        node = helper.make_node("Loop", ["M", "", "c0"], ["c_last", "ys"], body=body)
        consts.append(numpy_helper.from_array(np.array(steps, np.int64), "M"))
    return _model([node], [_vi("c0", state)], [_vi("c_last", state), _vi("ys", [steps, *state])], consts)


def _branch(name: str, k: int, n: int) -> onnx.GraphProto:
    """Cheap elementwise branch k of a switch: sin(x), 2 cos(x), x*x + 1, ..."""
    ops = [
        [helper.make_node("Sin", ["x"], [f"{name}_y"])],
        [helper.make_node("Cos", ["x"], [f"{name}_c"]), helper.make_node("Mul", [f"{name}_c", "two"], [f"{name}_y"])],
        [helper.make_node("Mul", ["x", "x"], [f"{name}_s"]), helper.make_node("Add", [f"{name}_s", "one"], [f"{name}_y"])],
        [helper.make_node("Tanh", ["x"], [f"{name}_y"])],
    ][k % 4]
    return helper.make_graph(ops, name, [], [_vi(f"{name}_y", [n])])


def switch(form: str, branches: int, n: int) -> onnx.ModelProto:
    """lax.switch(index, [cheap elementwise branches], x) for a [n] x."""
    consts = [numpy_helper.from_array(np.array(2.0, np.float32), "two"), numpy_helper.from_array(np.array(1.0, np.float32), "one")]
    nodes = []
    if form == "If":
        # A chain: If(index <= 0) b0 else If(index <= 1) b1 ... else b_last.
        def chain(k: int, out: str) -> list[onnx.NodeProto]:
            if k == branches - 1:
                return [*_branch(f"b{k}", k, n_).node, helper.make_node("Identity", [f"b{k}_y"], [out])]
            cond = f"le{k}"
            rest = helper.make_graph(chain(k + 1, f"r{k}_y"), f"r{k}", [], [_vi(f"r{k}_y", [n_])])
            return [
                helper.make_node("LessOrEqual", ["index", f"k{k}"], [cond]),
                helper.make_node("If", [cond], [out], then_branch=_branch(f"b{k}", k, n_), else_branch=rest),
            ]

        n_ = n
        nodes = chain(0, "y")
    else:
        for k in range(branches):
            nodes += list(_branch(f"b{k}", k, n).node)
        # Where(index == k, b_k, ...), innermost the last branch.
        acc = f"b{branches - 1}_y"
        for k in range(branches - 2, -1, -1):
            nodes.append(helper.make_node("Equal", ["index", f"k{k}"], [f"eq{k}"]))
            nodes.append(helper.make_node("Where", [f"eq{k}", f"b{k}_y", acc], [f"w{k}"]))
            acc = f"w{k}"
        nodes.append(helper.make_node("Identity", [acc], ["y"]))
    consts += [numpy_helper.from_array(np.array(k, np.int32), f"k{k}") for k in range(branches)]
    return _model(nodes, [_vi("index", [], TensorProto.INT32), _vi("x", [n])], [_vi("y", [n])], consts)


def feeds_for(model: onnx.ModelProto, index: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    out = {}
    for i in model.graph.input:
        shape = [d.dim_value for d in i.type.tensor_type.shape.dim]
        if i.type.tensor_type.elem_type == TensorProto.INT32:
            out[i.name] = np.array(index, np.int32).reshape(shape)
        else:
            out[i.name] = rng.standard_normal(shape).astype(np.float32)
    return out


def time_ort(models: dict[str, onnx.ModelProto], feeds: dict[str, dict], rounds: int) -> dict[str, float]:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    sessions = {k: ort.InferenceSession(m.SerializeToString(), options, providers=["CPUExecutionProvider"]) for k, m in models.items()}
    results = {k: s.run(None, feeds[k]) for k, s in sessions.items()}
    first = next(iter(results.values()))
    for k, r in results.items():
        for a, b in zip(first, r):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=f"forms disagree: {k}")
    times: dict[str, list[float]] = {k: [] for k in sessions}
    for _ in range(rounds):
        for k, s in sessions.items():
            t = time.perf_counter()
            s.run(None, feeds[k])
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


WEB_SCRIPT = r"""
const fs = require("node:fs");
const ort = require("onnxruntime-web");
ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";
(async () => {
  const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const sessions = {}, feeds = {};
  for (const [name, m] of Object.entries(job.models)) {
    sessions[name] = await ort.InferenceSession.create(fs.readFileSync(m.path));
    feeds[name] = {};
    for (const f of m.feeds) {
      const data = f.dtype === "int32" ? Int32Array.from(f.data) : Float32Array.from(f.data);
      feeds[name][f.name] = new ort.Tensor(f.dtype, data, f.shape);
    }
    for (let i = 0; i < 5; i++) await sessions[name].run(feeds[name]);
  }
  const times = Object.fromEntries(Object.keys(sessions).map((k) => [k, []]));
  for (let r = 0; r < job.rounds; r++) {
    for (const k of Object.keys(sessions)) {
      const t = performance.now();
      await sessions[k].run(feeds[k]);
      times[k].push((performance.now() - t) / 1000);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))));
})();
"""


def time_ort_web(models: dict[str, onnx.ModelProto], feeds: dict[str, dict], rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        job = {"rounds": rounds, "models": {}}
        for k, m in models.items():
            path = Path(tmp) / f"{k}.onnx"
            path.write_bytes(m.SerializeToString())
            job["models"][k] = {
                "path": str(path),
                "feeds": [{"name": n, "dtype": a.dtype.name, "shape": list(a.shape), "data": a.ravel().tolist()} for n, a in feeds[k].items()],
            }
        (Path(tmp) / "job.json").write_text(json.dumps(job))
        (Path(tmp) / "run.cjs").write_text(WEB_SCRIPT)
        out = subprocess.run(["node", str(Path(tmp) / "run.cjs"), str(Path(tmp) / "job.json")], cwd=ROOT, capture_output=True, text=True, check=True, env={"NODE_PATH": str(ROOT / "node_modules"), "PATH": "/usr/local/bin:/usr/bin:/bin"})
        return json.loads(out.stdout.strip().splitlines()[-1])


def compare(title: str, models: dict[str, onnx.ModelProto], feeds: dict[str, dict], rounds: int) -> None:
    py = time_ort(models, feeds, rounds)
    web = time_ort_web(models, feeds, max(rounds // 4, 10))
    cells = "  ".join(f"{k}: ort {py[k] * 1e6:8.1f} us, ort-web {web[k] * 1e6:8.1f} us" for k in models)
    print(f"{title:40s} {cells}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--only-scan", action="store_true", help="skip the cond/switch workloads")
    args = parser.parse_args()
    for steps, batch, hidden in ((10, 8, 32), (100, 8, 32), (1000, 8, 32), (100, 1, 4), (100, 64, 256)):
        models = {f: rnn(f, steps, batch, hidden) for f in ("Loop", "Scan")}
        feeds = {k: feeds_for(m, 0) for k, m in models.items()}
        compare(f"scan rnn T={steps} B={batch} H={hidden}", models, feeds, args.rounds)
    for steps, size in ((100, 16), (1000, 16), (1000, 4096)):
        models = {f: counter(f, steps, size) for f in ("Loop", "Scan")}
        feeds = {k: feeds_for(m, 0) for k, m in models.items()}
        compare(f"scan without xs T={steps} n={size}", models, feeds, args.rounds)
    if args.only_scan:
        return
    for branches in (2, 3, 5):
        for n in (16, 4096, 262144):
            models = {f: switch(f, branches, n) for f in ("If", "Where")}
            for index in (0, branches - 1):
                feeds = {k: feeds_for(m, index) for k, m in models.items()}
                compare(f"switch {branches} branches n={n} index={index}", models, feeds, args.rounds)


if __name__ == "__main__":
    main()
