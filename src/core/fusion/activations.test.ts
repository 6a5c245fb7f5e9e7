import { GraphBuilder } from "../ir/builder";
import { fuse } from "./testing";

function graph(): { b: GraphBuilder; x: ReturnType<GraphBuilder["addInput"]> } {
  const b = new GraphBuilder("g");
  return { b, x: b.addInput("x", { dtype: "float32", shape: ["B", 8] }) };
}
const f = (b: GraphBuilder, n: number) => b.scalar(n, "float32");

describe("activation fusions", () => {
  test("relu: max(x, 0) is Relu; max(x, 0.5) is not", () => {
    const { b, x } = graph();
    b.graph.outputs.push(b.op("Max", [x, f(b, 0)]), b.op("Max", [f(b, 0.5), x]));
    expect(fuse(b).ops).toEqual(["Relu", "Max"]);
    expect(b.graph.nodes[0].inputs).toEqual([x]);
  });

  test("clip: relu6 (min(max(x, 0), 6)) is one Clip, not Relu then Min", () => {
    const { b, x } = graph();
    const out = b.op("Min", [b.op("Max", [x, f(b, 0)]), f(b, 6)]);
    b.graph.outputs.push(out);
    expect(fuse(b).ops).toEqual(["Clip"]);
    expect(b.graph.nodes[0].outputs).toEqual([out]);
  });

  test("clip: a per-channel bound is rejected with a reason", () => {
    const { b, x } = graph();
    b.graph.outputs.push(b.op("Min", [b.op("Max", [x, f(b, -1)]), b.constant([1, 2, 3, 4, 5, 6, 7, 8], "float32", [8])]));
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Max", "Min"]);
    expect(rejections.map((r) => [r.rule, r.reason])).toContainEqual(["clip", "the bounds are not scalar constants"]);
  });

  test("leaky_relu: where(x >= 0, x, alpha * x) is LeakyRelu(alpha)", () => {
    const { b, x } = graph();
    b.graph.outputs.push(b.op("Where", [b.op("GreaterOrEqual", [x, f(b, 0)]), x, b.op("Mul", [f(b, 0.2), x])]));
    expect(fuse(b).ops).toEqual(["LeakyRelu"]);
    expect(b.graph.nodes[0].attrs.alpha?.value).toBeCloseTo(0.2, 6);
  });

  test("hard_swish: x * (min(max(x + 3, 0), 6) / 6) is HardSwish at opset 14, left alone at 13", () => {
    for (const [opset, ops] of [[21, ["HardSwish"]], [13, ["Add", "Clip", "Div", "Mul"]]] as const) {
      const { b, x } = graph();
      b.graph.outputs.push(b.op("Mul", [x, b.op("Div", [b.op("Min", [b.op("Max", [b.op("Add", [x, f(b, 3)]), f(b, 0)]), f(b, 6)]), f(b, 6)])]));
      expect(fuse(b, opset).ops).toEqual(ops);
    }
  });
});
