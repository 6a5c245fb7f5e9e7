import { GraphBuilder } from "../ir/builder";
import { knownValues } from "../ir/ir";
import { fuse } from "./testing";

function linear(bias: { values: number[]; shape: number[] }, batched = false) {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: batched ? [2, "B", 3] : ["B", 3] });
  const w = b.constant([1, 2, 3, 4, 5, 6], "float32", [3, 2], "w");
  const out = b.op("Add", [b.op("MatMul", [x, w]), b.constant(bias.values, "float32", bias.shape, "bias")]);
  b.graph.outputs.push(out);
  return { b, x, w, out };
}

describe("gemm fusions", () => {
  test("Case 1: MatMul + a bias per column is one Gemm", () => {
    const { b, x, w, out } = linear({ values: [1, 2], shape: [1, 2] });
    expect(fuse(b).ops).toEqual(["Gemm"]);
    const [g] = b.graph.nodes;
    expect(g.inputs.slice(0, 2)).toEqual([x, w]);
    expect(g.outputs).toEqual([out]);
  });

  test("Case 1: a batched MatMul or a bias that is not per column stays", () => {
    expect(fuse(linear({ values: [1, 2], shape: [2] }, true).b).rejections.map((r) => r.reason)).toContain("Gemm is rank 2; the MatMul is batched");
    const { b } = linear({ values: [1, 2, 3, 4, 5, 6], shape: [3, 2] });
    expect(fuse(b).ops).toEqual(["MatMul", "Add"]);
  });

  test("Case 1: a Transpose([1,0]) of the weight becomes transB", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 3] });
    const w = b.addInput("w", { dtype: "float32", shape: [2, 3] });
    b.graph.outputs.push(b.op("Add", [b.op("MatMul", [x, b.op("Transpose", [w], { perm: [1, 0] })]), b.constant([1, 2], "float32", [2])]));
    expect(fuse(b).ops).toEqual(["Gemm"]);
    expect(b.graph.nodes[0].inputs[1]).toBe(w);
    expect(b.graph.nodes[0].attrs.transB?.value).toBe(1);
  });

  test("Case 2: a second constant added to a Gemm folds into its C", () => {
    const { b } = linear({ values: [1, 2], shape: [2] });
    const first = b.graph.outputs.pop()!;
    b.graph.outputs.push(b.op("Add", [first, b.constant([10, 20], "float32", [1, 2])]));
    expect(fuse(b).ops).toEqual(["Gemm"]);
    expect(knownValues(b.graph.nodes[0].inputs[2])).toEqual([11, 22]);
  });
});
