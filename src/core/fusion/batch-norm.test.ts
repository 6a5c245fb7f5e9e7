import { GraphBuilder } from "../ir/builder";
import { knownValues, type Value } from "../ir/ir";
import { fuse } from "./testing";

const C = 3;

/** Flax's inference BatchNorm: (h - mean) * (rsqrt(var + eps) * scale) + bias, parameters reshaped to `shape`. */
function flaxBatchNorm(b: GraphBuilder, h: Value, params: { mean: Value; variance: Value; scale: Value; bias: Value }, shape: number[]): Value {
  const r = (p: Value) => b.op("Reshape", [p, b.int64s(shape)], {}, { types: [{ dtype: "float32", shape }] });
  const rsqrt = b.op("Reciprocal", [b.op("Sqrt", [b.op("Add", [r(params.variance), b.scalar(1e-5, "float32")])])]);
  return b.op("Add", [b.op("Mul", [b.op("Sub", [h, r(params.mean)]), b.op("Mul", [rsqrt, r(params.scale)])]), r(params.bias)]);
}

const inputs = (b: GraphBuilder) => {
  const p = (name: string) => b.addInput(name, { dtype: "float32", shape: [C] });
  return { mean: p("bn.mean"), variance: p("bn.var"), scale: p("bn.scale"), bias: p("bn.bias") };
};

describe("batch_normalization", () => {
  test("inside a function (parameters are inputs), after a Gemm: one BatchNormalization on the [C] inputs", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", C] });
    const params = inputs(b);
    const h = b.op("Gemm", [x, b.addInput("w", { dtype: "float32", shape: [C, C] })]);
    b.graph.outputs.push(flaxBatchNorm(b, h, params, [1, C]));
    expect(fuse(b).ops).toEqual(["Gemm", "BatchNormalization"]);
    const bn = b.graph.nodes[1];
    expect(bn.inputs.map((i) => i?.name)).toEqual([h.name, "bn.scale", "bn.bias", "bn.mean", "bn.var"]);
    expect(bn.attrs.epsilon?.value).toBeCloseTo(1e-5, 10);
  });

  test("after a Relu, NCHW, statistics folded to constants: scale s with var 1 and epsilon 0", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", C, 4, 4] });
    const h = b.op("Relu", [x]);
    const k = (vals: number[]) => b.constant(vals, "float32", [C, 1, 1]);
    b.graph.outputs.push(b.op("Add", [b.op("Mul", [b.op("Sub", [h, k([0.5, 1, 2])]), k([2, 3, 4])]), k([7, 8, 9])]));
    expect(fuse(b).ops).toEqual(["Relu", "BatchNormalization"]);
    const bn = b.graph.nodes[1];
    expect(bn.inputs.slice(1).map((i) => knownValues(i))).toEqual([[2, 3, 4], [7, 8, 9], [0.5, 1, 2], [1, 1, 1]]);
    expect(bn.inputs.slice(1).map((i) => i!.type.shape)).toEqual([[C], [C], [C], [C]]);
    expect(bn.attrs.epsilon?.value).toBe(0);
  });

  test("constant statistics after a MatMul fold into it instead; channels on the last axis of a rank-4 input stay", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", C] });
    const k = (vals: number[], shape = [C]) => b.constant(vals, "float32", shape);
    const h = b.op("MatMul", [x, b.constant([1, 0, 0, 0, 1, 0, 0, 0, 1], "float32", [C, C])]);
    b.graph.outputs.push(b.op("Add", [b.op("Mul", [b.op("Sub", [h, k([0.5, 1, 2])]), k([2, 3, 4])]), k([7, 8, 9])]));
    const nhwc = b.addInput("y", { dtype: "float32", shape: ["B", 4, 4, C] });
    b.graph.outputs.push(b.op("Add", [b.op("Mul", [b.op("Sub", [nhwc, k([0.5, 1, 2])]), k([2, 3, 4])]), k([7, 8, 9])]));
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Gemm", "Sub", "Mul", "Add"]);
    const reasons = rejections.filter((r) => r.rule === "batch_normalization").map((r) => r.reason);
    expect(reasons).toContain("folds into the preceding MatMul instead (fold-affine)");
    expect(reasons).toContain("the mean 3 is not one value per channel on axis 1");
  });

  test("after a residual Add of two computed values (nothing to fold into): BatchNormalization", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", C] });
    const h = b.op("Add", [b.op("MatMul", [x, b.constant([1, 0, 0, 0, 1, 0, 0, 0, 1], "float32", [C, C])]), x]);
    const k = (vals: number[]) => b.constant(vals, "float32", [C]);
    b.graph.outputs.push(b.op("Add", [b.op("Mul", [b.op("Sub", [h, k([0.5, 1, 2])]), k([2, 3, 4])]), k([7, 8, 9])]));
    expect(fuse(b).ops).toEqual(["MatMul", "Add", "BatchNormalization"]);
  });

  test("below opset 15 the BatchNorm stays spelled out", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", C] });
    b.graph.outputs.push(flaxBatchNorm(b, b.op("Relu", [x]), inputs(b), [1, C]));
    expect(fuse(b, 14).ops).not.toContain("BatchNormalization");
  });
});
