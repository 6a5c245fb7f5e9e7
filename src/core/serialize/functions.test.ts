import { GraphBuilder, NameTable } from "../ir/builder";
import { OnnxFunction, attr, type Model } from "../ir/ir";
import { onnx } from "../proto/onnx";
import { checkAndRunOnnx, runOrtWeb, type TensorJson } from "../../testing/onnx-runners";
import { joinChunks } from "./chunks";
import { serializeModel } from "./model-proto";

/*
 * y = f(f(x, W1), W2) with the model-local function f(x, w) = Gelu(MatMul(x, w)) * 2 in domain
 * "test.functions": one FunctionProto, called twice.
 */
const W1 = [1, -0.5, 0.25, 2, 0, -1];
const W2 = [0.5, 1, -2, 1.5];
const X = [0.3, -1.2, 2.0, 0.7, -0.1, 1.1];

function modelWithFunction(): Model {
  const body = new GraphBuilder("LinearGelu", new NameTable(), true);
  const x = body.addInput("x", { dtype: "float32", shape: ["N", "K"] });
  const w = body.addInput("w", { dtype: "float32", shape: ["K", "M"] });
  const h = body.op("MatMul", [x, w]);
  body.graph.outputs.push(body.op("Mul", [body.op("Gelu", [h], { approximate: attr.string("none") }), body.scalar(2, "float32")]));
  const fn = new OnnxFunction("LinearGelu", "test.functions", 21, body.graph);

  const main = new GraphBuilder("main");
  const input = main.addInput("x", { dtype: "float32", shape: ["B", 3] });
  const w1 = main.constant(W1, "float32", [3, 2]);
  const w2 = main.constant(W2, "float32", [2, 2]);
  const call = (a: typeof input, w: typeof w1, cols: number): typeof input =>
    main.op("LinearGelu", [a, w], {}, { domain: "test.functions", types: [{ dtype: "float32", shape: ["B", cols] }] });
  main.graph.outputs.push(call(call(input, w1, 2), w2, 2));
  return {
    graph: main.graph,
    functions: [fn],
    opsetImports: [{ domain: "", version: 21 }, { domain: "test.functions", version: 1 }],
    producerName: "test",
    producerVersion: "0",
    metadata: {},
  };
}

/** numpy-free reference: exact gelu via erf from a series that is exact to float32 here. */
function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse; integrate the series (converges fast for |x| < 3).
  let sum = 0;
  let term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const gelu = (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));

function expected(): number[] {
  const layer = (a: number[], rows: number, k: number, w: number[], m: number): number[] =>
    Array.from({ length: rows * m }, (_, idx) => {
      const [r, c] = [Math.floor(idx / m), idx % m];
      let s = 0;
      for (let i = 0; i < k; i++) s += a[r * k + i] * w[i * m + c];
      return 2 * gelu(s);
    });
  return layer(layer(X, 2, 3, W1, 2), 2, 2, W2, 2);
}

describe("model-local functions", () => {
  const bytes = joinChunks(serializeModel(modelWithFunction()), () => {
    throw new Error("no host weights here");
  });
  const feeds: Record<string, TensorJson> = { x: { dtype: "float32", shape: [2, 3], data: X } };

  test("serialize as one FunctionProto with value_info and Constant nodes, called twice", () => {
    const m = onnx.ModelProto.decode(bytes);
    expect(m.functions.map((f) => [f.name, f.domain, f.input, f.output])).toEqual([["LinearGelu", "test.functions", ["x", "w"], ["Mul_output_0"]]]);
    const [f] = m.functions;
    expect(f.node!.map((n) => n.opType)).toEqual(["MatMul", "Gelu", "Constant", "Mul"]);
    expect(f.valueInfo!.map((v) => v.name)).toEqual(["x", "w", "MatMul_output_0", "Gelu_output_0", "Constant_output_0"]);
    expect(m.graph!.node!.map((n) => [n.opType, n.domain])).toEqual([
      ["LinearGelu", "test.functions"],
      ["LinearGelu", "test.functions"],
    ]);
  });

  test("onnx's full check passes and onnxruntime computes the composition", () => {
    const out = checkAndRunOnnx(bytes, feeds);
    const y = Object.values(out)[0];
    expect(y.shape).toEqual([2, 2]);
    y.data.forEach((v, i) => expect(v).toBeCloseTo(expected()[i], 5));
  });

  test("onnxruntime-web runs it too", () => {
    const out = runOrtWeb(bytes, feeds);
    Object.values(out)[0].data.forEach((v, i) => expect(v).toBeCloseTo(expected()[i], 5));
  });
});
