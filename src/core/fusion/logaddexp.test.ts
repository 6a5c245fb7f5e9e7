import { GraphBuilder } from "../ir/builder";
import type { Value } from "../ir/ir";
import { fuse } from "./testing";

/** JAX's logaddexp(a, b): f = a - b; where(f != f, a + b, max(a, b) + log1p(exp(-|f|))). */
function logaddexp(b: GraphBuilder, a: Value, k: Value): Value {
  const f = b.op("Sub", [a, k]);
  const nan = b.op("Not", [b.op("Equal", [f, f])]);
  const tail = b.op("Log", [b.op("Add", [b.op("Exp", [b.op("Neg", [b.op("Abs", [f])])]), b.scalar(1, "float32")])]);
  return b.op("Where", [nan, b.op("Add", [a, k]), b.op("Add", [b.op("Max", [a, k]), tail])]);
}

function graph() {
  const b = new GraphBuilder("g");
  return { b, x: b.addInput("x", { dtype: "float32", shape: ["B", 4] }) };
}

describe("logaddexp_nan_guard", () => {
  test("softplus = logaddexp(x, 0): the NaN guard goes, 7 nodes are left (x - 0 is x)", () => {
    const { b, x } = graph();
    const y = logaddexp(b, x, b.scalar(0, "float32"));
    b.graph.outputs.push(y);
    expect(fuse(b).ops.sort()).toEqual(["Abs", "Add", "Add", "Exp", "Log", "Neg", "Relu"]);
    expect(b.graph.nodes.at(-1)!.outputs[0]).toBe(y);
    expect(b.graph.nodes.find((n) => n.op === "Abs")!.inputs[0]).toBe(x);
  });

  test("logaddexp(x, 2): the guard goes too", () => {
    const { b, x } = graph();
    b.graph.outputs.push(logaddexp(b, x, b.scalar(2, "float32")));
    expect(fuse(b).ops).not.toContain("Where");
  });

  test("two computed operands (inf - inf is NaN where inf + inf is not) and an infinite constant keep the guard", () => {
    const { b, x } = graph();
    const y = b.addInput("y", { dtype: "float32", shape: ["B", 4] });
    b.graph.outputs.push(logaddexp(b, x, y), logaddexp(b, x, b.scalar(Infinity, "float32")));
    const { ops, rejections } = fuse(b);
    expect(ops.filter((o) => o === "Where")).toHaveLength(2);
    expect(rejections.map((r) => r.rule)).toContain("logaddexp_nan_guard");
  });
});
