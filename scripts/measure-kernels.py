"""Measures which (ONNX op, dtype) pairs onnxruntime (CPU, Python) and onnxruntime-web (wasm, Node)
can run, and writes the table the converter's kernel mechanism reads.

    .venv/bin/python scripts/measure-kernels.py            # writes the two files below, prints the gaps
    .venv/bin/python scripts/measure-kernels.py --check    # exit 1 if the committed files are stale

For every op the converter may emit and every dtype it handles, it builds a one-node model (the
op's inputs as initializers, so nothing needs feeding; optimizations off, so nothing is folded
away), checks it with onnx.checker (a dtype outside the op's type constraint is "schema"), creates
a session and runs it in both runtimes. Outputs:
  - src/core/lower/kernel-table.generated.ts: per op key, which inputs and outputs carry the
    op's type constraint T (from the ONNX schema) and the dtypes either runtime cannot run;
  - docs/kernels.md: the same as a table for people.
src/core/lower/kernel-gaps.ts decides from the first what to do about a gap, and its test checks
the decisions against it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "src" / "core" / "lower" / "kernel-table.generated.ts"
DOC = ROOT / "docs" / "kernels.md"
WEB_RUNNER = ROOT / "scripts" / "measure-kernels-web.cjs"
OPSET = 21  # the converter's default; ops introduced later are measured at their first opset

DTYPES = ["bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float16", "bfloat16", "float32", "float64"]
ELEM = {
    "bool": TensorProto.BOOL, "uint8": TensorProto.UINT8, "int8": TensorProto.INT8, "uint16": TensorProto.UINT16,
    "int16": TensorProto.INT16, "uint32": TensorProto.UINT32, "int32": TensorProto.INT32, "uint64": TensorProto.UINT64,
    "int64": TensorProto.INT64, "float16": TensorProto.FLOAT16, "bfloat16": TensorProto.BFLOAT16,
    "float32": TensorProto.FLOAT, "float64": TensorProto.DOUBLE,
}
FLOATS = {"float16", "bfloat16", "float32", "float64"}

# An input of the measured dtype: its shape (values 1..3, never 0, so integer Div/Mod cannot trap).
T = tuple


class Fixed:
    """An input of a fixed dtype and value (indices, axes, shapes, conditions)."""

    def __init__(self, values: Any, dtype: str = "int64"):
        self.array = np.asarray(values, dtype=np.bool_ if dtype == "bool" else dtype)


def spec(*inputs: Any, outputs: int = 1, opset: int | None = None, **attrs: Any) -> dict[str, Any]:
    return {"inputs": inputs, "outputs": outputs, "opset": opset, "attrs": attrs}


UNARY = spec((2, 3))
BINARY = spec((2, 3), (2, 3))
IMAGE = (1, 1, 4, 4)

# op key -> how to build it. A key "Op.variant" measures Op with an attribute (ScatterND.add).
OPS: dict[str, dict[str, Any] | Callable[[str], dict[str, Any]]] = {
    **{op: UNARY for op in [
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "BitwiseNot", "Ceil", "Cos", "Cosh", "Elu", "Erf", "Exp",
        "Floor", "Gelu", "HardSigmoid", "HardSwish", "Identity", "IsInf", "IsNaN", "LeakyRelu", "Log", "LogSoftmax", "Mish",
        "Neg", "Not", "Reciprocal", "Relu", "Round", "Selu", "Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Softplus",
        "Softsign", "Sqrt", "Tan", "Tanh", "Shape", "Size",
    ]},
    **{op: BINARY for op in [
        "Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Equal", "Less",
        "LessOrEqual", "Greater", "GreaterOrEqual", "Max", "Min", "PRelu",
    ]},
    # ONNX Mod on floats needs fmod=1; the converter uses fmod=1 for lax.rem on every dtype.
    "Mod": spec((2, 3), (2, 3), fmod=1),
    "BitShift": spec((2, 3), (2, 3), direction="LEFT"),
    "Clip": spec((2, 3), (), ()),
    "Where": spec(Fixed([[True, False, True], [False, True, False]], "bool"), (2, 3), (2, 3)),
    "Cast": lambda d: spec((2, 3), to=TensorProto.FLOAT if d != "float32" else TensorProto.DOUBLE),
    "BitCast": lambda d: spec((2, 3), opset=26, to=ELEM[d]),
    "MatMul": spec((2, 3), (3, 2)),
    "Gemm": spec((2, 3), (3, 2)),
    "Einsum": spec((2, 3), (3, 2), equation="ij,jk->ik"),
    "Conv": spec(IMAGE, (1, 1, 3, 3)),
    "ConvTranspose": spec(IMAGE, (1, 1, 3, 3)),
    "MaxPool": spec(IMAGE, kernel_shape=[2, 2]),
    "AveragePool": spec(IMAGE, kernel_shape=[2, 2]),
    "ArgMax": spec((2, 3), axis=1),
    "ArgMin": spec((2, 3), axis=1),
    "TopK": spec((2, 4), Fixed([2]), outputs=2),
    **{op: spec((2, 3), Fixed([1])) for op in ["ReduceSum", "ReduceProd", "ReduceMax", "ReduceMin", "ReduceMean", "ReduceL2", "ReduceLogSumExp"]},
    "CumSum": spec((2, 3), Fixed(1)),
    "CumProd": spec((2, 3), Fixed(1), opset=26),
    "Concat": spec((2, 3), (2, 3), axis=0),
    "Expand": spec((1, 3), Fixed([2, 3])),
    "Reshape": spec((2, 3), Fixed([3, 2])),
    "Squeeze": spec((1, 3), Fixed([0])),
    "Unsqueeze": spec((2, 3), Fixed([0])),
    "Transpose": spec((2, 3), perm=[1, 0]),
    "Slice": spec((2, 3), Fixed([0]), Fixed([2]), Fixed([1])),
    "Split": spec((2, 4), Fixed([2, 2]), outputs=2, axis=1),
    "Tile": spec((2, 3), Fixed([2, 1])),
    "Pad": spec((2, 3), Fixed([0, 1, 0, 1]), ()),
    "Gather": spec((3, 2), Fixed([0, 2]), axis=0),
    "GatherElements": spec((3, 2), Fixed([[0, 1], [2, 0]]), axis=0),
    "GatherND": spec((3, 2), Fixed([[0], [2]])),
    "ScatterND": spec((3, 2), Fixed([[0], [2]]), (2, 2)),
    **{f"ScatterND.{r}": spec((3, 2), Fixed([[0], [2]]), (2, 2), reduction=r) for r in ("add", "mul", "max", "min")},
    "ScatterElements": spec((3, 2), Fixed([[0, 1]]), (1, 2), axis=0),
    **{f"ScatterElements.{r}": spec((3, 2), Fixed([[0, 1]]), (1, 2), axis=0, reduction=r) for r in ("add", "mul", "max", "min")},
    "Range": spec((), (), ()),
    "Trilu": spec((3, 3)),
}


def sample(dtype: str, shape: tuple[int, ...], rng: np.random.Generator) -> onnx.TensorProto:
    if dtype == "bfloat16":
        values = rng.integers(1, 4, size=shape).astype(np.float32)
        return helper.make_tensor("x", TensorProto.BFLOAT16, shape, values.ravel().tolist())
    if dtype == "bool":
        return numpy_helper.from_array(rng.random(shape) < 0.5)
    return numpy_helper.from_array(rng.integers(1, 4, size=shape).astype(dtype))


def build(key: str, dtype: str) -> tuple[onnx.ModelProto, list[int], list[int]]:
    """The one-node model, and which of its inputs / outputs carry the op's constraint T."""
    op = key.split(".")[0]
    s = OPS[key]
    s = s(dtype) if callable(s) else s
    opset = max(OPSET, s["opset"] or 0)
    rng = np.random.default_rng(0)
    initializers, names, typed = [], [], []
    if op == "Range":  # start < limit for every dtype (bool aside)
        values = [0, 3, 1]
    for i, inp in enumerate(s["inputs"]):
        name = f"in_{i}"
        if isinstance(inp, Fixed):
            t = numpy_helper.from_array(inp.array)
        elif op == "Range":
            t = numpy_helper.from_array(np.asarray(values[i], dtype=np.bool_ if dtype == "bool" else np.float32 if dtype == "bfloat16" else dtype))
            if dtype == "bfloat16":
                t = helper.make_tensor(name, TensorProto.BFLOAT16, [], [float(values[i])])
            typed.append(i)
        else:
            t = sample(dtype, inp, rng)
            typed.append(i)
        t.name = name
        initializers.append(t)
        names.append(name)
    outs = [f"out_{j}" for j in range(s["outputs"])]
    node = helper.make_node(op, names, outs, **s["attrs"])
    schema = onnx.defs.get_schema(op, opset)
    t_str = schema.inputs[min(typed[0], len(schema.inputs) - 1)].type_str if typed else None
    t_inputs = [i for i in range(len(names)) if schema.inputs[min(i, len(schema.inputs) - 1)].type_str == t_str]
    t_outputs = [j for j in range(len(outs)) if schema.outputs[min(j, len(schema.outputs) - 1)].type_str == t_str]
    graph = helper.make_graph([node], key, [], [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outs], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=10)
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    # bfloat16 tensors cannot leave onnxruntime-web: read such outputs through a Cast to float32.
    final = []
    for o in model.graph.output:
        if o.type.tensor_type.elem_type == TensorProto.BFLOAT16:
            model.graph.node.append(helper.make_node("Cast", [o.name], [o.name + "_f32"], to=TensorProto.FLOAT))
            read = onnx.ValueInfoProto()
            read.CopyFrom(o)
            read.name = o.name + "_f32"
            read.type.tensor_type.elem_type = TensorProto.FLOAT
            final.append(read)
        else:
            final.append(o)
    del model.graph.output[:]
    model.graph.output.extend(final)
    return model, t_inputs, t_outputs


def run_cpu(model: bytes) -> str | None:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 4
    try:
        ort.InferenceSession(model, options, providers=["CPUExecutionProvider"]).run(None, {})
        return None
    except Exception as e:  # noqa: BLE001 - any refusal means no kernel
        return str(e).splitlines()[0][:200]


def run_web(models: dict[str, bytes]) -> dict[str, str | None]:
    with tempfile.TemporaryDirectory() as tmp:
        manifest = []
        for i, (name, data) in enumerate(models.items()):
            path = Path(tmp) / f"{i}.onnx"
            path.write_bytes(data)
            manifest.append({"name": name, "path": str(path)})
        (Path(tmp) / "manifest.json").write_text(json.dumps(manifest))
        out = subprocess.run(["node", str(WEB_RUNNER), str(Path(tmp) / "manifest.json")], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def measure() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    models: dict[str, bytes] = {}
    for key in OPS:
        entry: dict[str, Any] = {"gaps": {}}
        for dtype in DTYPES:
            try:
                model, t_in, t_out = build(key, dtype)
                onnx.checker.check_model(model, full_check=True)
            except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError):
                entry["gaps"][dtype] = "schema"
                continue
            entry.setdefault("inputs", t_in)
            entry.setdefault("outputs", t_out)
            data = model.SerializeToString()
            models[f"{key}|{dtype}"] = data
            if run_cpu(data) is not None:
                entry["gaps"][dtype] = "cpu"
        table[key] = entry
    for name, error in run_web(models).items():
        key, dtype = name.split("|")
        if error is not None:
            gaps = table[key]["gaps"]
            gaps[dtype] = "both" if gaps.get(dtype) == "cpu" else "web"
    return table


def render_ts(table: dict[str, dict[str, Any]]) -> str:
    lines = [
        "// GENERATED by scripts/measure-kernels.py; do not edit. Regenerate after a runtime upgrade.",
        f"// Measured with onnxruntime {ort.__version__} (CPU) and onnxruntime-web {web_version()} (wasm), opset {OPSET}",
        "// (later ops at their first opset), one node per op and dtype. Per op key (\"ScatterND.add\" is",
        "// ScatterND with reduction=\"add\"): the inputs and outputs that carry its type constraint T, and",
        "// each dtype of T it cannot take: \"schema\" (outside ONNX's constraint), \"cpu\" / \"web\" (that",
        "// runtime has no kernel), \"both\".",
        'import type { KernelTable } from "./kernel-table";',
        "",
        "export const MEASURED_KERNELS: KernelTable = {",
    ]
    for key, e in table.items():
        gaps = ", ".join(f"{d}: \"{s}\"" for d, s in e["gaps"].items())
        lines.append(f'  "{key}": {{ inputs: {json.dumps(e.get("inputs", []))}, outputs: {json.dumps(e.get("outputs", []))}, gaps: {{ {gaps} }} }},'.replace("{  }", "{}"))
    lines.append("};")
    return "\n".join(lines) + "\n"


def render_md(table: dict[str, dict[str, Any]]) -> str:
    mark = {"schema": "–", "cpu": "cpu✗", "web": "web✗", "both": "✗"}
    lines = [
        "<!-- GENERATED by scripts/measure-kernels.py; do not edit. -->",
        "# Kernels onnxruntime has, by op and dtype",
        "",
        f"Measured with onnxruntime {ort.__version__} (CPU) and onnxruntime-web {web_version()} (wasm) on one-node models",
        f"(opset {OPSET}; CumProd and BitCast at 26). ✓ both run it; ✗ neither; cpu✗ / web✗ only that one lacks it;",
        "– outside the op's ONNX type constraint. What the converter does about each gap (compute in a wider",
        "dtype and cast back, or an exact rewrite in the same dtype) is decided in `src/core/lower/kernel-gaps.ts`.",
        "",
        "| op | " + " | ".join(DTYPES) + " |",
        "|---|" + "---|" * len(DTYPES),
    ]
    for key, e in table.items():
        lines.append(f"| {key} | " + " | ".join(mark.get(e["gaps"].get(d, ""), "✓") for d in DTYPES) + " |")
    return "\n".join(lines) + "\n"


def web_version() -> str:
    return json.loads((ROOT / "node_modules" / "onnxruntime-web" / "package.json").read_text())["version"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files differ from a new measurement")
    args = parser.parse_args()
    table = measure()
    outputs = {TABLE: render_ts(table), DOC: render_md(table)}
    if args.check:
        stale = [str(p.relative_to(ROOT)) for p, text in outputs.items() if not p.exists() or p.read_text() != text]
        if stale:
            print("stale (run scripts/measure-kernels.py):", ", ".join(stale))
            return 1
        return 0
    for path, text in outputs.items():
        path.write_text(text)
    for key, e in table.items():
        gaps = {d: s for d, s in e["gaps"].items() if s != "schema"}
        if gaps:
            print(f"{key:22} " + ", ".join(f"{d}:{s}" for d, s in gaps.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
