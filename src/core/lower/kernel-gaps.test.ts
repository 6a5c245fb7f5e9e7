import { GraphBuilder, type AttrInput } from "../ir/builder";
import type { Value } from "../ir/ir";
import { KERNEL_GAPS, emitWithKernel, hasKernel } from "./kernel-gaps";

const f64 = (...shape: (number | string)[]) => ({ dtype: "float64" as const, shape });

/** Inputs and attributes that make each gap op well-formed. */
function example(b: GraphBuilder, op: string): { inputs: Value[]; attrs: Record<string, AttrInput> } {
  if (op === "Conv") return { inputs: [b.addInput("x", f64("B", 2, 5, 5)), b.addInput("w", f64(4, 1, 3, 3)), b.addInput("bias", f64(4))], attrs: { kernel_shape: [3, 3], pads: [1, 0, 1, 2], strides: [2, 1], group: 2 } };
  if (op === "AveragePool") return { inputs: [b.addInput("x", f64("B", 2, 5, 5))], attrs: { kernel_shape: [2, 3], pads: [1, 1, 0, 1], count_include_pad: 0 } };
  return { inputs: [b.addInput("x", f64("B", 3))], attrs: {} };
}

describe("kernel gaps", () => {
  test.each(KERNEL_GAPS.filter((g) => g.op !== "Gelu").map((g) => g.op))("%s in float64 is emitted with ops onnxruntime runs, typed as the op", (op) => {
    const b = new GraphBuilder("g");
    const { inputs, attrs } = example(b, op);
    const expected = new GraphBuilder("ref");
    const ref = example(expected, op);
    const direct = expected.op(op, ref.inputs, attrs);
    const out = emitWithKernel(b, op, inputs, attrs);
    expect(out).not.toBeNull();
    expect(out!.type).toEqual(direct.type);
    const missing = b.graph.nodes.filter((n) => !hasKernel(n.op, n.inputs[0]?.type.dtype ?? "float32"));
    expect(missing.map((n) => n.op)).toEqual([]);
  });

  test("other dtypes and ops are left to the builder", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [3] });
    expect(emitWithKernel(b, "Tan", [x], {})).toBeNull();
    expect(emitWithKernel(b, "Sin", [b.addInput("y", f64(3))], {})).toBeNull();
    expect(b.graph.nodes).toEqual([]);
    expect(hasKernel("Gelu", "float64")).toBe(false);
    expect(hasKernel("Gelu", "float32")).toBe(true);
  });
});
