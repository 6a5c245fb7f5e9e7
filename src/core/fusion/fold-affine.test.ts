import { GraphBuilder } from "../ir/builder";
import { knownValues } from "../ir/ir";
import { fuse } from "./testing";

const close = (a: readonly number[] | null, b: readonly number[]): void => {
  expect(a).not.toBeNull();
  a!.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
};

/** y = ((x @ W + b) - mean) * s + beta: a Linear then an inference BatchNorm. */
function linearBatchNorm(weightOnHost: boolean) {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: ["B", 2] });
  const w = weightOnHost
    ? b.initializer({ dtype: "float32", shape: [2, 2], data: { kind: "host", buffer: 0, sourceShape: [2, 2] } }, "linear.kernel")
    : b.constant([1, 2, 3, 4], "float32", [2, 2], "linear.kernel");
  b.scope = "linear";
  const h = b.op("Add", [b.op("MatMul", [x, w]), b.constant([1, -1], "float32", [2], "linear.bias")]);
  b.scope = "bn";
  const y = b.op("Add", [b.op("Mul", [b.op("Sub", [h, b.constant([0.5, 1.5], "float32", [2], "bn.mean")]), b.constant([2, 3], "float32", [2])]), b.constant([10, 20], "float32", [2], "bn.bias")]);
  b.graph.outputs.push(y);
  return { b, x, w };
}

describe("BatchNorm folds into the Linear before it", () => {
  test("weights the converter holds: one Gemm with W * s and (b - mean) * s + beta, named as the Linear's", () => {
    const { b, x } = linearBatchNorm(false);
    expect(fuse(b).ops).toEqual(["Gemm"]);
    const [g] = b.graph.nodes;
    expect(g.name).toBe("linear/Gemm");
    expect(g.inputs[0]).toBe(x);
    expect(g.inputs[1]!.name).toBe("linear.kernel");
    close(knownValues(g.inputs[1]), [2, 6, 6, 12]);
    expect(g.inputs[2]!.name).toBe("linear.bias");
    close(knownValues(g.inputs[2]), [(1 - 0.5) * 2 + 10, (-1 - 1.5) * 3 + 20]);
  });

  test("weights the host holds: the scale stays a Mul on the initializer (onnxruntime folds it at load)", () => {
    const { b, w } = linearBatchNorm(true);
    expect(fuse(b).ops).toEqual(["Mul", "Gemm"]);
    const [mul, g] = b.graph.nodes;
    expect(mul.inputs[0]).toBe(w);
    close(knownValues(mul.inputs[1]), [2, 3]);
    expect(mul.inputs[1]!.type.shape).toEqual([1, 2]);
    expect(g.inputs[1]).toBe(mul.outputs[0]);
    expect(mul.outputs[0].name).toBe("linear.kernel");
  });

  test("a BatchNorm after a non-linear op is left (another rule's business)", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 2] });
    const y = b.op("Mul", [b.op("Sub", [b.op("Tanh", [x]), b.constant([1, 2], "float32", [2])]), b.constant([2, 3], "float32", [2])]);
    b.graph.outputs.push(y);
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Tanh", "Sub", "Mul"]);
    expect(rejections.find((r) => r.rule === "affine_distribute")?.reason).toBe("nothing linear to fold the scale into");
  });

  test("a scale that is read twice is not folded", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 2] });
    const mm = b.op("MatMul", [x, b.constant([1, 2, 3, 4], "float32", [2, 2])]);
    b.graph.outputs.push(b.op("Mul", [mm, b.constant([2, 3], "float32", [2])]), mm);
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["MatMul", "Mul"]);
    expect(rejections.find((r) => r.rule === "scale_into_weights")?.reason).toBe("its result is read elsewhere too");
  });
});
