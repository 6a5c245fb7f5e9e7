"""The widget's view model (src/widget/view-model) reads ONNX files written by other tools.

Real files from onnx.helper (a model-local function, an If with two subgraphs, dim_params,
external data) and one from to_onnx; the built view-model code (bundled with esbuild into a temp
dir, run by Node) must see every node, every function call and body, and every symbolic dim.
"""

import json
import subprocess

import jax.numpy as jnp
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import ROOT
from jax2onnx_lab import to_onnx
from jax2onnx_lab._node import find_node

SUMMARIZE = """
import { readFileSync } from "node:fs";
import { viewGraphFromOnnx, formatType } from "%(root)s/src/widget/view-model";
const out = {};
for (const file of process.argv.slice(2)) {
  const g = viewGraphFromOnnx(new Uint8Array(readFileSync(file)));
  const types = new Set();
  for (const n of g.nodes) for (const v of [...n.inputs, ...n.outputs]) if (v && v.type) types.add(formatType(v.type));
  out[file] = {
    nodes: g.nodes.map((n) => ({ id: n.id, kind: n.kind, op: n.op, name: n.name, parent: n.parent })),
    groups: g.groups.map((x) => ({ id: x.id, kind: x.kind, label: x.label, parent: x.parent, nodeCount: x.nodeCount })),
    edges: g.edges.length,
    types: [...types].sort(),
    inputs: g.inputs.map((v) => formatType(v.type)),
    initializers: g.initializers.map((t) => ({ name: t.name, data: t.data.kind, shape: t.shape })),
    functions: g.info.functions,
  };
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def summarize(tmp_path_factory):
    """Bundles the view model with a tiny reader script; returns a function: files -> summaries."""
    build = tmp_path_factory.mktemp("view-model-js")
    (build / "summarize.ts").write_text(SUMMARIZE % {"root": ROOT})
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    subprocess.run(
        [str(esbuild), str(build / "summarize.ts"), "--bundle", "--platform=node", "--format=esm", f"--outfile={build / 'summarize.mjs'}", "--log-level=warning"],
        check=True, cwd=ROOT,
    )

    def run(*files):
        result = subprocess.run([find_node(), str(build / "summarize.mjs"), *map(str, files)], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return run


def save(model, path, **kwargs):
    onnx.checker.check_model(model, full_check=True)
    onnx.save_model(model, str(path), **kwargs)
    return path


def f32(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


OPSET = [helper.make_opsetid("", 21)]


def function_model(path):
    # Block(x, w) = Relu(x * w) in domain "local", called twice: each call is a group with its own body.
    block = helper.make_function(
        "local", "Block", ["x", "w"], ["r"],
        [helper.make_node("Mul", ["x", "w"], ["m"]), helper.make_node("Relu", ["m"], ["r"])],
        OPSET,
    )
    graph = helper.make_graph(
        [
            helper.make_node("Block", ["x", "w"], ["h"], domain="local", name="first"),
            helper.make_node("Block", ["h", "w"], ["y"], domain="local", name="second"),
        ],
        "calls", [f32("x", ["B", 4])], [f32("y", ["B", 4])],
        initializer=[numpy_helper.from_array(np.arange(4, dtype=np.float32), "w")],
    )
    model = helper.make_model(graph, opset_imports=OPSET + [helper.make_opsetid("local", 1)], functions=[block], ir_version=10)
    return save(model, path)


def if_model(path):
    then_branch = helper.make_graph([helper.make_node("Neg", ["x"], ["t"])], "then", [], [f32("t", ["N"])])
    else_branch = helper.make_graph(
        [helper.make_node("Abs", ["x"], ["a"]), helper.make_node("Sqrt", ["a"], ["e"])], "else", [], [f32("e", ["N"])]
    )
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMax", ["x"], ["mx"], keepdims=0),
            helper.make_node("Greater", ["mx", "zero"], ["c"]),
            helper.make_node("If", ["c"], ["y"], then_branch=then_branch, else_branch=else_branch),
        ],
        "branches", [f32("x", ["N"])], [f32("y", ["N"])],
        initializer=[numpy_helper.from_array(np.array(0, dtype=np.float32), "zero")],
    )
    return save(helper.make_model(graph, opset_imports=OPSET, ir_version=10), path)


def dims_model(path):
    # Symbolic dims everywhere, nameless nodes, no value_info.
    graph = helper.make_graph(
        [
            helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 2, 1]),
            helper.make_node("MatMul", ["x", "xt"], ["s"]),
            helper.make_node("Softmax", ["s"], ["y"], axis=-1),
        ],
        "attention", [f32("x", ["batch", "seq", 64])], [f32("y", ["batch", "seq", "seq"])],
    )
    return save(helper.make_model(graph, opset_imports=OPSET, ir_version=10), path)


def external_model(path):
    weight = numpy_helper.from_array(np.ones((64, 64), dtype=np.float32), "big")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "big"], ["y"], name="/layer/MatMul")], "ext", [f32("x", ["B", 64])], [f32("y", ["B", 64])], initializer=[weight])
    model = helper.make_model(graph, opset_imports=OPSET, ir_version=10)
    onnx.checker.check_model(model, full_check=True)
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=path.name + ".data", size_threshold=0)
    assert (path.parent / (path.name + ".data")).exists()
    return path


def test_files_from_other_tools(tmp_path, summarize):
    files = {
        "function": function_model(tmp_path / "function.onnx"),
        "if": if_model(tmp_path / "if.onnx"),
        "dims": dims_model(tmp_path / "dims.onnx"),
        "external": external_model(tmp_path / "external.onnx"),
    }
    seen = summarize(*files.values())
    view = {k: seen[str(p)] for k, p in files.items()}

    # Functions: each call a group holding a copy of the body; no call node is lost.
    fn = view["function"]
    assert [(g["id"], g["kind"], g["label"], g["nodeCount"]) for g in fn["groups"]] == [("n0", "function", "Block", 2), ("n1", "function", "Block", 2)]
    assert sorted((n["parent"], n["op"]) for n in fn["nodes"] if n["kind"] == "op") == [("n0", "Mul"), ("n0", "Relu"), ("n1", "Mul"), ("n1", "Relu")]
    assert fn["functions"] == [{"name": "Block", "domain": "local", "inputs": ["x", "w"], "outputs": ["r"], "nodeCount": 2, "calls": 2}]
    assert "float32[B,4]" in fn["inputs"]

    # If: every node of the main graph and of both bodies, the bodies as groups.
    branches = view["if"]
    model = onnx.load(str(files["if"]))
    body_ops = [n.op_type for a in model.graph.node[2].attribute for n in a.g.node]
    ops = [n["op"] for n in branches["nodes"] if n["kind"] == "op"]
    assert sorted(ops) == sorted([n.op_type for n in model.graph.node] + body_ops)
    assert {g["id"]: g["kind"] for g in branches["groups"]} == {"n2:g": "control", "n2:then_branch": "subgraph", "n2:else_branch": "subgraph"}

    # dim_params by name; unnamed nodes are still nodes.
    dims = view["dims"]
    assert [n["op"] for n in dims["nodes"] if n["kind"] == "op"] == ["Transpose", "MatMul", "Softmax"]
    assert dims["inputs"] == ["float32[batch,seq,64]"]
    assert "float32[batch,seq,seq]" in dims["types"]

    # External data: the tensor is there, its bytes are not.
    ext = view["external"]
    assert ext["initializers"] == [{"name": "big", "data": "external", "shape": [64, 64]}]


def test_a_model_from_to_onnx(tmp_path, summarize):
    def block(x, w):
        return jnp.tanh(x @ w) + x

    w = np.eye(8, dtype=np.float32)
    path = tmp_path / "block.onnx"
    to_onnx(lambda x: block(x, w), [("B", 8)], return_mode="file", output_path=str(path))
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    view = summarize(path)[str(path)]
    ops = [n["op"] for n in view["nodes"] if n["kind"] == "op"]
    assert sorted(ops) == sorted(n.op_type for n in model.graph.node)
    assert view["inputs"] == ["float32[B,8]"]
    assert all("B" in t for t in view["types"] if t.startswith("float32[") and t != "float32[8,8]")
    assert {i["name"] for i in view["initializers"]} == {t.name for t in model.graph.initializer}
