import { GraphBuilder } from "../ir/builder";
import { c, match, op, v } from "./pattern";

function builder(): { b: GraphBuilder; x: ReturnType<GraphBuilder["addInput"]>; y: ReturnType<GraphBuilder["addInput"]> } {
  const b = new GraphBuilder("g");
  return { b, x: b.addInput("x", { dtype: "float32", shape: ["B", 4] }), y: b.addInput("y", { dtype: "float32", shape: ["B", 4] }) };
}

describe("match", () => {
  test("binds variables and requires the same value for the same name", () => {
    const { b, x, y } = builder();
    const square = b.op("Mul", [x, x]);
    const product = b.op("Mul", [x, y]);
    expect(match(op("Mul", v("a"), v("a")), square)?.get("a")).toBe(x);
    expect(match(op("Mul", v("a"), v("a")), product)).toBeNull();
    expect(match(op("Mul", v("a"), v("b")), product)?.get("b")).toBe(y);
  });

  test("Add and Mul match either operand order; Sub does not", () => {
    const { b, x } = builder();
    const half = b.scalar(0.5, "float32");
    expect(match(op("Mul", c(0.5), v("a")), b.op("Mul", [x, half]))?.get("a")).toBe(x);
    expect(match(op("Sub", c(0.5), v("a")), b.op("Sub", [x, half]))).toBeNull();
    expect(match(op("Sub", v("a"), c(0.5)), b.op("Sub", [x, half]))?.get("a")).toBe(x);
  });

  test("a failed branch leaves no stale bindings behind", () => {
    const { b, x, y } = builder();
    // Mul(y, Exp(x)): trying (a=y, Exp(a)) binds a=y first and must undo it before (a=x...).
    const value = b.op("Mul", [y, b.op("Exp", [x])]);
    const bound = match(op("Mul", op("Exp", v("a")), v("z")), value);
    expect(bound?.get("a")).toBe(x);
    expect(bound?.get("z")).toBe(y);
  });

  test("constants: within the relative tolerance, one element only, known values only", () => {
    const { b, x } = builder();
    const near = b.op("Add", [x, b.scalar(Math.fround(0.044715), "float32")]);
    expect(match(op("Add", v("a"), c(0.044715)), near)).not.toBeNull();
    expect(match(op("Add", v("a"), c(0.045)), near)).toBeNull();
    const vector = b.op("Add", [x, b.constant([1, 1, 1, 1], "float32", [4])]);
    expect(match(op("Add", v("a"), c(1)), vector)).toBeNull();
    const weight = b.initializer({ dtype: "float32", shape: [], data: { kind: "host", buffer: 0, sourceShape: [] } }, "w");
    expect(match(op("Add", v("a"), c(1)), b.op("Add", [x, weight]))).toBeNull();
  });

  test("an input or initializer is not an op", () => {
    const { x } = builder();
    expect(match(op("Relu", v("a")), x)).toBeNull();
  });
});
