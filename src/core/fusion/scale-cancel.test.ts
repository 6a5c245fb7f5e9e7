import { GraphBuilder } from "../ir/builder";
import type { Value } from "../ir/ir";
import { fuse } from "./testing";

/** Our reduce_window_sum (AveragePool * 4) moved like Equinox's pool moves it, then / k. */
function pooled(divisor: number, between: (b: GraphBuilder, y: Value) => Value = (_b, y) => y): { b: GraphBuilder; x: Value } {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: [1, 3, 4, 4] });
  const sum = b.op("Mul", [b.op("AveragePool", [x], { kernel_shape: [2, 2], strides: [2, 2], count_include_pad: 1 }), b.scalar(4, "float32")]);
  b.graph.outputs.push(b.op("Relu", [b.op("Div", [between(b, sum), b.scalar(divisor, "float32")])]));
  return { b, x };
}

const equinoxLayout = (b: GraphBuilder, y: Value): Value =>
  b.op("Transpose", [b.op("Squeeze", [b.op("Transpose", [y], { perm: [0, 2, 3, 1] }), b.int64s([0])])], { perm: [2, 0, 1] });

describe("scale_cancel", () => {
  test("the window-size product cancels against the divisor through the layout ops (then one Squeeze)", () => {
    const { b } = pooled(4, equinoxLayout);
    expect(fuse(b).ops).toEqual(["AveragePool", "Squeeze", "Relu"]);
  });

  test("through a real transpose the transpose stays, the scales go", () => {
    const { b } = pooled(4, (b, y) => b.op("Transpose", [y], { perm: [0, 1, 3, 2] }));
    expect(fuse(b).ops).toEqual(["AveragePool", "Transpose", "Relu"]);
  });

  test("another divisor does not cancel", () => {
    const { b } = pooled(3, equinoxLayout);
    const { ops, rejections } = fuse(b);
    expect(ops).toContain("Div");
    expect(ops).toContain("Mul");
    expect(rejections.find((r) => r.rule === "scale_cancel")?.reason).toMatch(/factor is not the divisor/);
  });

  test("a product read elsewhere too stays", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2, 3] });
    const scaled = b.op("Mul", [x, b.scalar(5, "float32")]);
    b.graph.outputs.push(b.op("Div", [b.op("Transpose", [scaled], { perm: [1, 0] }), b.scalar(5, "float32")]), scaled);
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Mul", "Transpose", "Div"]);
    expect(rejections.find((r) => r.rule === "scale_cancel")?.reason).toMatch(/read elsewhere/);
  });
});
