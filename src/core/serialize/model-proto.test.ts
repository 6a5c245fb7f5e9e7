import { encodeScalars } from "../ir/dtype";
import { attr, Graph, Node, Value, type Model, type Tensor } from "../ir/ir";
import { onnx } from "../proto/onnx";
import { runOrtWeb, runPython, type TensorJson } from "../../testing/onnx-runners";
import { joinChunks, type Chunk, type HostPayload } from "./chunks";
import { irVersionFor, serializeModel, serializeModelFiles } from "./model-proto";

/*
 * The model: y = x @ W + b, x: float32[N, 3].
 *  W: host bytes, stored by the host as [4, 3] (a PyTorch-style [out, in] kernel) and written
 *     transposed (`perm`) into the [3, 4] initializer MatMul wants.
 *  b: bytes the converter holds.
 */
const W_SOURCE = [
  [0.5, -1, 2],
  [0.25, 0, -0.75],
  [1.5, 3, -2],
  [-0.5, 0.125, 1],
];
const BIAS = [0.5, -1, 2, 0.25];
const X = [
  [1, 2, 3],
  [-1, 0.5, 4],
];

function tinyModel(): Model {
  const g = new Graph("tiny");
  const x = new Value("x", { dtype: "float32", shape: ["N", 3] });
  g.inputs.push(x);
  const w = new Value("linear.kernel", { dtype: "float32", shape: [3, 4] });
  w.tensor = { dtype: "float32", shape: [3, 4], data: { kind: "host", buffer: 0, sourceShape: [4, 3], perm: [1, 0] } };
  const b = new Value("linear.bias", { dtype: "float32", shape: [4] });
  b.tensor = { dtype: "float32", shape: [4], data: { kind: "bytes", bytes: encodeScalars(BIAS, "float32") } };
  g.initializers.push(w, b);
  const h = new Value("h", { dtype: "float32", shape: ["N", 4] });
  const y = new Value("y", { dtype: "float32", shape: ["N", 4] });
  g.nodes = [
    new Node("linear/MatMul", "MatMul", [x, w], [h], {}, "", { primitive: "dot_general", source: "model.py:12:8 (forward)", scope: "linear" }),
    new Node("linear/Add", "Add", [h, b], [y], {}, "", { primitive: "add", scope: "linear" }),
  ];
  g.outputs.push(y);
  return {
    graph: g,
    opsetImports: [{ domain: "", version: 21 }],
    producerName: "jax2onnx-lab-test",
    producerVersion: "0.0",
    docString: "built by hand",
    metadata: { "capture.jax": "0.10.2" },
  };
}

/** What a host does with a placeholder: its buffer's bytes, transposed by `perm` (here by hand). */
function hostBytes(p: HostPayload): Uint8Array {
  expect(p).toEqual({ kind: "host", buffer: 0, byteLength: 48, dtype: "float32", perm: [1, 0] });
  const transposed = [0, 1, 2].flatMap((i) => W_SOURCE.map((row) => row[i]));
  return encodeScalars(transposed, "float32");
}

function serializedTinyModel(): { chunks: Chunk[]; bytes: Uint8Array } {
  const chunks = serializeModel(tinyModel());
  return { chunks, bytes: joinChunks(chunks, hostBytes) };
}

const xFeed: TensorJson = { dtype: "float32", shape: [2, 3], data: X.flat() };

describe("serializeModel", () => {
  test("leaves host weights as placeholders, one per host initializer", () => {
    const { chunks } = serializedTinyModel();
    expect(chunks.filter((c) => !(c instanceof Uint8Array))).toEqual([{ kind: "host", buffer: 0, byteLength: 48, dtype: "float32", perm: [1, 0] }]);
  });

  test("(a) protobufjs decodes the joined bytes to the model", () => {
    const m = onnx.ModelProto.decode(serializedTinyModel().bytes);
    expect(Number(m.irVersion)).toBe(10);
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([["", 21]]);
    expect([m.producerName, m.producerVersion, m.docString]).toEqual(["jax2onnx-lab-test", "0.0", "built by hand"]);
    expect(m.metadataProps.map((p) => [p.key, p.value])).toEqual([["capture.jax", "0.10.2"]]);

    const g = m.graph!;
    expect(g.name).toBe("tiny");
    const dims = (v: onnx.IValueInfoProto): (string | number)[] => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(g.input!.map((v) => [v.name, v.type!.tensorType!.elemType, dims(v)])).toEqual([["x", 1, ["N", 3]]]);
    expect(g.output!.map((v) => [v.name, dims(v)])).toEqual([["y", ["N", 4]]]);
    // value_info: every intermediate, and nothing else
    expect(g.valueInfo!.map((v) => [v.name, v.type!.tensorType!.elemType, dims(v)])).toEqual([["h", 1, ["N", 4]]]);

    expect(g.node!.map((n) => [n.name, n.opType, n.input, n.output])).toEqual([
      ["linear/MatMul", "MatMul", ["x", "linear.kernel"], ["h"]],
      ["linear/Add", "Add", ["h", "linear.bias"], ["y"]],
    ]);
    expect(g.node![0].metadataProps!.map((p) => [p.key, p.value])).toEqual([
      ["jax2onnx_lab.primitive", "dot_general"],
      ["jax2onnx_lab.source", "model.py:12:8 (forward)"],
      ["jax2onnx_lab.scope", "linear"],
    ]);

    expect(g.initializer!.map((t) => [t.name, t.dataType, t.dims!.map(Number)])).toEqual([
      ["linear.kernel", 1, [3, 4]],
      ["linear.bias", 1, [4]],
    ]);
    const floats = (t: onnx.ITensorProto): number[] => Array.from(new Float32Array(Uint8Array.from(t.rawData!).buffer));
    expect(floats(g.initializer![0])).toEqual([0.5, 0.25, 1.5, -0.5, -1, 0, 3, 0.125, 2, -0.75, -2, 1]);
    expect(floats(g.initializer![1])).toEqual(BIAS);
  });

  test("(b) onnx's full check passes and onnxruntime matches numpy", () => {
    const result = runPython(
      `
import base64
import numpy as np, onnx, onnxruntime as ort
data = base64.b64decode(INPUT["model"])
model = onnx.load_from_string(data)
onnx.checker.check_model(model, full_check=True)
x = np.array(INPUT["x"], np.float32)
expected = x @ np.array(INPUT["w_source"], np.float32).T + np.array(INPUT["bias"], np.float32)
got = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
emit({
    "ir_version": model.ir_version,
    "value_info": [v.name for v in model.graph.value_info],
    "metadata": {p.key: p.value for p in model.graph.node[0].metadata_props},
    "max_abs_diff": float(np.abs(got - expected).max()),
    "shape": list(got.shape),
    "ort": got.reshape(-1).tolist(),
})
`,
      { model: Buffer.from(serializedTinyModel().bytes).toString("base64"), x: X, w_source: W_SOURCE, bias: BIAS },
    ) as { ir_version: number; value_info: string[]; metadata: Record<string, string>; max_abs_diff: number; shape: number[]; ort: number[] };
    expect(result.ir_version).toBe(10);
    expect(result.value_info).toEqual(["h"]);
    expect(result.metadata["jax2onnx_lab.source"]).toBe("model.py:12:8 (forward)");
    expect(result.shape).toEqual([2, 4]);
    expect(result.max_abs_diff).toBeLessThanOrEqual(1e-6);
  });

  test("(c) onnxruntime-web gives the same numbers", () => {
    const { y } = runOrtWeb(serializedTinyModel().bytes, { x: xFeed });
    // By hand: y[n][j] = sum_i x[n][i] * W_SOURCE[j][i] + BIAS[j]
    const expected = X.flatMap((row) => W_SOURCE.map((w, j) => row.reduce((acc, xi, i) => acc + xi * w[i], BIAS[j])));
    expect(y.shape).toEqual([2, 4]);
    y.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  test("attributes of every kind are encoded with their ONNX types", () => {
    const g = new Graph("attrs");
    const x = new Value("x", { dtype: "float32", shape: [1] });
    g.inputs.push(x);
    const t: Tensor = { dtype: "int64", shape: [2], data: { kind: "bytes", bytes: encodeScalars([3, -4], "int64") } };
    const y = new Value("y", { dtype: "float32", shape: [1] });
    const attrs = { i: attr.int(-2), is: attr.ints([1, 2]), f: attr.float(0.5), fs: attr.floats([0.25, 2]), s: attr.string("é"), ss: { type: "strings" as const, value: ["a", "b"] }, t: attr.tensor(t) };
    g.nodes = [new Node("n", "Custom", [x], [y], attrs, "com.example")];
    g.outputs.push(y);
    const chunks = serializeModel({ graph: g, opsetImports: [{ domain: "", version: 21 }, { domain: "com.example", version: 1 }], producerName: "p", producerVersion: "0", metadata: {} });
    const node = onnx.ModelProto.decode(joinChunks(chunks, hostBytes)).graph!.node![0];
    const T = onnx.AttributeProto.AttributeType;
    const decoded = Object.fromEntries(node.attribute!.map((a) => [a.name, a]));
    expect(node.domain).toBe("com.example");
    expect([decoded.i.type, Number(decoded.i.i)]).toEqual([T.INT, -2]);
    expect([decoded.is.type, decoded.is.ints!.map(Number)]).toEqual([T.INTS, [1, 2]]);
    expect([decoded.f.type, decoded.f.f]).toEqual([T.FLOAT, 0.5]);
    expect([decoded.fs.type, decoded.fs.floats]).toEqual([T.FLOATS, [0.25, 2]]);
    expect([decoded.s.type, new TextDecoder().decode(decoded.s.s!)]).toEqual([T.STRING, "é"]);
    expect([decoded.ss.type, decoded.ss.strings!.map((s: Uint8Array) => new TextDecoder().decode(s))]).toEqual([T.STRINGS, ["a", "b"]]);
    expect([decoded.t.type, decoded.t.t!.dataType, decoded.t.t!.dims!.map(Number), Buffer.from(decoded.t.t!.rawData!).toString("hex")]).toEqual([
      T.TENSOR, 7, [2], "0300000000000000fcffffffffffffff",
    ]);
  });

  test("a host tensor inside an attribute is refused (only top-level initializers may hold host bytes)", () => {
    const g = new Graph("g");
    const y = new Value("y", { dtype: "float32", shape: [2] });
    const t: Tensor = { dtype: "float32", shape: [2], data: { kind: "host", buffer: 1, sourceShape: [2] } };
    g.nodes = [new Node("c", "Constant", [], [y], { value: attr.tensor(t) })];
    g.outputs.push(y);
    expect(() => serializeModel({ graph: g, opsetImports: [{ domain: "", version: 21 }], producerName: "p", producerVersion: "0", metadata: {} })).toThrow(/holds host bytes/);
  });
});

test("irVersionFor follows onnx.helper.VERSION_TABLE, never below IR 10 (node metadata_props)", () => {
  // onnx 1.20: opset 21/22 -> IR 10, 23 -> 11, 24 -> 12, 25 -> 13
  expect([17, 20, 21, 22, 23, 24, 25].map(irVersionFor)).toEqual([10, 10, 10, 10, 11, 12, 13]);
});

describe("serializeModelFiles with external data", () => {
  test("tensors of at least minBytes go to the data file at page-aligned offsets; small ones stay inline", () => {
    const { model, data } = serializeModelFiles(tinyModel(), { location: "tiny.onnx.data", minBytes: 16 });
    const dataBytes = joinChunks(data!, hostBytes);
    const decoded = onnx.ModelProto.decode(joinChunks(model, hostBytes));
    const byName = new Map(decoded.graph!.initializer!.map((t) => [t.name!, t]));
    const where = (name: string): Record<string, string> => Object.fromEntries(byName.get(name)!.externalData!.map((e) => [e.key!, e.value!]));
    const kernel = byName.get("linear.kernel")!;
    expect(kernel.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    expect(kernel.rawData?.length ?? 0).toBe(0);
    expect(where("linear.kernel")).toEqual({ location: "tiny.onnx.data", offset: "0", length: "48" });
    expect(where("linear.bias")).toEqual({ location: "tiny.onnx.data", offset: "4096", length: "16" });
    expect(dataBytes.byteLength).toBe(4096 + 16);
    expect(Array.from(dataBytes.subarray(0, 48))).toEqual(Array.from(hostBytes({ kind: "host", buffer: 0, byteLength: 48, dtype: "float32", perm: [1, 0] })));
    expect(Array.from(dataBytes.subarray(4096))).toEqual(Array.from(encodeScalars(BIAS, "float32")));
    const small = serializeModelFiles(tinyModel(), { location: "tiny.onnx.data", minBytes: 32 });
    const smallModel = onnx.ModelProto.decode(joinChunks(small.model, hostBytes));
    const bias = smallModel.graph!.initializer!.find((t) => t.name === "linear.bias")!;
    expect(bias.dataLocation ?? 0).toBe(onnx.TensorProto.DataLocation.DEFAULT);
    expect(Array.from(bias.rawData!)).toEqual(Array.from(encodeScalars(BIAS, "float32")));
  });
});
