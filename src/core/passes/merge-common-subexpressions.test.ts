import { GraphBuilder } from "../ir/builder";
import { MergeCommonSubexpressions } from "./merge-common-subexpressions";

describe("MergeCommonSubexpressions", () => {
  test("Case 1: the same op on the same inputs with the same attributes is computed once", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 4] });
    const axes = b.int64s([1]);
    const m1 = b.op("ReduceSum", [x, axes], { keepdims: 0 });
    const m2 = b.op("ReduceSum", [x, axes], { keepdims: 0 });
    const other = b.op("ReduceSum", [x, axes], { keepdims: 1 });
    b.graph.outputs.push(b.op("Sub", [m1, m2]), other);
    expect(new MergeCommonSubexpressions().run(b.graph).modified).toBe(true);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(["ReduceSum", "ReduceSum", "Sub"]);
    expect(b.graph.nodes[2].inputs).toEqual([m1, m1]);
  });

  test("Case 2: equal small integer constants are one initializer; equal float weights stay two", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "int64", shape: [2] });
    const c1 = b.initializer({ dtype: "int64", shape: [2], data: { kind: "bytes", bytes: new Uint8Array(16) } }, "a");
    const c2 = b.initializer({ dtype: "int64", shape: [2], data: { kind: "bytes", bytes: new Uint8Array(16) } }, "b");
    b.graph.outputs.push(b.op("Add", [b.op("Add", [x, c1]), c2]));
    const w1 = b.initializer({ dtype: "float32", shape: [2], data: { kind: "bytes", bytes: new Uint8Array(8) } }, "block1.bias");
    const w2 = b.initializer({ dtype: "float32", shape: [2], data: { kind: "bytes", bytes: new Uint8Array(8) } }, "block2.bias");
    b.graph.outputs.push(b.op("Add", [w1, w2]));
    new MergeCommonSubexpressions().run(b.graph);
    expect(b.graph.initializers).toEqual([c1, w1, w2]);
    expect(b.graph.nodes[1].inputs[1]).toBe(c1);
  });
});
