import type { Dim } from "../ir/dims";
import { attr, Graph, Node, Value } from "../ir/ir";
import { InferTypes } from "./infer-types";
import { PassError } from "./pass";

const f32 = (name: string, ...shape: Dim[]): Value => new Value(name, { dtype: "float32", shape });

/** x[2,3] @ w[3,4] -> y, with y typed as given. */
function matmulGraph(y: Value): Graph {
  const g = new Graph("g");
  const [x, w] = [f32("x", 2, 3), f32("w", 3, 4)];
  g.inputs.push(x, w);
  g.nodes = [new Node("mm", "MatMul", [x, w], [y])];
  g.outputs.push(y);
  return g;
}

describe("InferTypes", () => {
  test("Case 1: a value that agrees with the rule keeps its type", () => {
    const y = f32("y", 2, 4);
    expect(new InferTypes().run(matmulGraph(y)).modified).toBe(false);
    expect(y.type).toEqual({ dtype: "float32", shape: [2, 4] });
  });

  test("Case 1: a symbolic name the rule leaves open is kept", () => {
    const g = new Graph("g");
    const [a, b, y] = [f32("a", "B", 3), f32("b", "C", 3), f32("y", "B + C", 3)];
    g.inputs.push(a, b);
    g.nodes = [new Node("cat", "Concat", [a, b], [y], { axis: attr.int(0) })];
    g.outputs.push(y);

    expect(new InferTypes().run(g).modified).toBe(false);
    expect(y.type.shape).toEqual(["B + C", 3]);
  });

  test("Case 2: unknown dims are filled from the rule", () => {
    const y = f32("y", null, null);
    const result = new InferTypes().run(matmulGraph(y));
    expect(result.modified).toBe(true);
    expect(y.type).toEqual({ dtype: "float32", shape: [2, 4] });
  });

  test("Case 2: filled dims flow on to the next node in the same run", () => {
    const g = new Graph("g");
    const [x, h, y] = [f32("x", 2, 3), f32("h", null, null), f32("y", null, null, null)];
    g.inputs.push(x);
    g.nodes = [new Node("t", "Transpose", [x], [h], { perm: attr.ints([1, 0]) }), new Node("u", "Unsqueeze", [h], [y], { axes: attr.ints([0]) })];
    g.outputs.push(y);

    new InferTypes().run(g);

    expect(h.type.shape).toEqual([3, 2]);
    expect(y.type.shape).toEqual([1, 3, 2]);
  });

  test("Case 2: inside subgraphs too", () => {
    const g = new Graph("g");
    const cond = new Value("cond", { dtype: "bool", shape: [] });
    const x = f32("x", 5);
    g.inputs.push(cond, x);
    const branch = new Graph("then");
    const inner = f32("inner", null);
    branch.nodes = [new Node("neg", "Neg", [x], [inner])];
    branch.outputs.push(inner);
    const y = f32("y", 5);
    g.nodes = [new Node("if", "If", [cond], [y], { then_branch: attr.graph(branch), else_branch: attr.graph(branch) })];
    g.outputs.push(y);

    expect(new InferTypes().run(g).modified).toBe(true);
    expect(inner.type.shape).toEqual([5]);
  });

  test.each<[string, Value]>([
    ["a static size", f32("y", 2, 5)],
    ["the rank", f32("y", 2, 4, 1)],
    ["the dtype", new Value("y", { dtype: "float16", shape: [2, 4] })],
  ])("Case 3: a conflict in %s fails, naming node, value type and rule type", (_, y) => {
    expect(() => new InferTypes().run(matmulGraph(y))).toThrow(PassError);
    expect(() => new InferTypes().run(matmulGraph(y))).toThrow(/^mm \(MatMul\) output 0: value has .*, the op's type rule gives float32\[2,4\]$/);
  });

  test("a rule that rejects its inputs fails naming the node", () => {
    const g = new Graph("g");
    const [a, b, y] = [f32("a", 2, 3), f32("b", 4), f32("y", 2, 3)];
    g.inputs.push(a, b);
    g.nodes = [new Node("add", "Add", [a, b], [y])];
    g.outputs.push(y);
    expect(() => new InferTypes().run(g)).toThrow("add (Add): Add: shapes [2,3] and [4] do not broadcast");
  });

  test("ops without a rule, and other domains, are left as they are", () => {
    const g = new Graph("g");
    const x = f32("x", 2);
    const [y, z] = [f32("y", null), f32("z", 7)];
    g.inputs.push(x);
    g.nodes = [new Node("custom", "FancyOp", [x], [y]), new Node("neg", "Neg", [x], [z], {}, "com.example")];
    g.outputs.push(y, z);

    expect(new InferTypes().run(g).modified).toBe(false);
    expect([y.type.shape, z.type.shape]).toEqual([[null], [7]]);
  });
});
