import { GraphBuilder } from "../ir/builder";
import { knownValues, type Value } from "../ir/ir";
import { fuse } from "./testing";

const K = 2;

function bnThenGemm(options: { transB?: boolean; held: boolean; bias?: boolean }) {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: ["B", K] });
  const vec = (name: string, vals: number[]): Value => (options.held ? b.constant(vals, "float32", [K], name) : b.addInput(name, { dtype: "float32", shape: [K] }));
  const bn = b.op("BatchNormalization", [b.op("Tanh", [x]), vec("bn.scale", [2, 3]), vec("bn.bias", [1, -1]), vec("bn.mean", [0.5, 0.25]), vec("bn.var", [3, 0])], { epsilon: 1 });
  // W = [[1, 2, 3], [4, 5, 6]] as [K, N], or its transpose with transB.
  const w = options.transB ? b.constant([1, 4, 2, 5, 3, 6], "float32", [3, K], "linear.kernel") : b.constant([1, 2, 3, 4, 5, 6], "float32", [K, 3], "linear.kernel");
  const inputs = options.bias === false ? [bn, w] : [bn, w, b.constant([10, 20, 30], "float32", [3], "linear.bias")];
  b.graph.outputs.push(b.op("Gemm", inputs, options.transB ? { transB: 1 } : {}));
  return b;
}

// inv = scale / sqrt(var + 1) = [1, 3]; shift = bias - mean * inv = [0.5, -1.75].
const scaledW = [1, 2, 3, 12, 15, 18];
const bias = [10 + 0.5 * 1 - 1.75 * 4, 20 + 0.5 * 2 - 1.75 * 5, 30 + 0.5 * 3 - 1.75 * 6];

describe("batch_norm_into_next_gemm", () => {
  test("weights the converter holds: one Gemm on inv[:, None] * W and shift @ W + C, keeping the Linear's names", () => {
    const b = bnThenGemm({ held: true });
    expect(fuse(b).ops).toEqual(["Tanh", "Gemm"]);
    const g = b.graph.nodes[1];
    expect(knownValues(g.inputs[1])).toEqual(scaledW);
    knownValues(g.inputs[2])!.forEach((v, i) => expect(v).toBeCloseTo(bias[i], 5));
    expect([g.inputs[1]!.name, g.inputs[2]!.name]).toEqual(["linear.kernel", "linear.bias"]);
  });

  test("transB and no C: the scale goes on W's columns, the bias is shift @ W", () => {
    const b = bnThenGemm({ held: true, transB: true, bias: false });
    expect(fuse(b).ops).toEqual(["Tanh", "Gemm"]);
    const g = b.graph.nodes[1];
    expect(knownValues(g.inputs[1])).toEqual([1, 12, 2, 15, 3, 18]);
    knownValues(g.inputs[2])!.forEach((v, i) => expect(v).toBeCloseTo(bias[i] - [10, 20, 30][i], 5));
  });

  test("statistics that are function inputs: the BatchNormalization stays (its products would be nodes)", () => {
    const b = bnThenGemm({ held: false });
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Tanh", "BatchNormalization", "Gemm"]);
    expect(rejections.map((r) => r.reason)).toContain("the weights or statistics are not constants the converter holds: the fold would leave their products as nodes");
  });

  test("a BatchNormalization read twice stays", () => {
    const b = bnThenGemm({ held: true });
    b.graph.outputs.push(b.graph.nodes.find((n) => n.op === "BatchNormalization")!.outputs[0]);
    const { ops, rejections } = fuse(b);
    expect(ops).toContain("BatchNormalization");
    expect(rejections.map((r) => r.reason)).toContain("the BatchNormalization's result is read elsewhere too");
  });
});
