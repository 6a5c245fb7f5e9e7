import { GraphBuilder } from "../ir/builder";
import { decodeScalars, encodeScalars } from "../ir/dtype";
import type { Value } from "../ir/ir";
import { DeadCodeElimination } from "./dead-code-elimination";
import { SinkTransposes } from "./sink-transposes";

const f32 = (...shape: number[]) => ({ dtype: "float32" as const, shape });
const ops = (b: GraphBuilder): string[] => b.graph.nodes.map((n) => `${n.op}(${n.inputs.map((v) => v?.name).join(", ")})`);
const perm = (b: GraphBuilder, i: number): readonly number[] | undefined => {
  const a = b.graph.nodes[i].attrs.perm;
  return a?.type === "ints" ? a.value : undefined;
};
const valuesOf = (v: Value): number[] => {
  const data = v.tensor?.data;
  if (data?.kind !== "bytes") throw new Error(`${v.name} holds no bytes`);
  return decodeScalars(data.bytes, v.tensor!.dtype);
};
const run = (b: GraphBuilder, outs: Value[]): boolean => {
  outs.forEach((v, i) => {
    v.name = `out_${i}`;
    b.graph.outputs.push(v);
  });
  const { modified } = new SinkTransposes().run(b.graph);
  new DeadCodeElimination().run(b.graph);
  return modified;
};

describe("SinkTransposes", () => {
  test("Case 1: a Transpose and its inverse cancel", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3, 4));
    const t = b.op("Transpose", [x], { perm: [2, 0, 1] });
    const back = b.op("Transpose", [t], { perm: [1, 2, 0] });
    expect(run(b, [b.op("Relu", [back])])).toBe(true);
    expect(ops(b)).toEqual(["Relu(x)"]);
  });

  test("Case 1: two Transposes that are not inverse become one", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3, 4));
    const t = b.op("Transpose", [x], { perm: [1, 0, 2] });
    run(b, [b.op("Transpose", [t], { perm: [0, 2, 1] })]);
    expect(ops(b)).toEqual(["Transpose(x)"]);
    // x.transpose(1, 0, 2).transpose(0, 2, 1) = x.transpose(1, 2, 0)
    expect(perm(b, 0)).toEqual([1, 2, 0]);
  });

  test("Case 2: a Transpose moves below unary ops and cancels with its inverse there", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3));
    const t = b.op("Transpose", [x], { perm: [1, 0] });
    const y = b.op("Tanh", [b.op("Relu", [t])]);
    run(b, [b.op("Transpose", [y], { perm: [1, 0] })]);
    // The graph output keeps its own node (and name): the cancelled pair leaves an Identity.
    expect(ops(b)).toEqual(["Relu(x)", "Tanh(Relu_output_0_untransposed)", "Identity(Tanh_output_0_untransposed)"]);
  });

  test("Case 3: a constant the op alone reads is permuted in place and keeps its name", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3));
    const c = b.initializer({ dtype: "float32", shape: [3, 2], data: { kind: "bytes", bytes: encodeScalars([0, 1, 2, 3, 4, 5], "float32") } }, "bias");
    const t = b.op("Transpose", [x], { perm: [1, 0] });
    run(b, [b.op("Neg", [b.op("Transpose", [b.op("Add", [t, c])], { perm: [1, 0] })])]);
    expect(ops(b)).toEqual(["Add(x, bias)", "Neg(Add_output_0_untransposed)"]);
    expect(c.type.shape).toEqual([2, 3]);
    // [[0,1],[2,3],[4,5]].T = [[0,2,4],[1,3,5]]
    expect(valuesOf(c)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  test("Case 3: another input transposed the same way is read untransposed", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3));
    const y = b.addInput("y", f32(2, 3));
    const sum = b.op("Add", [b.op("Transpose", [x], { perm: [1, 0] }), b.op("Transpose", [y], { perm: [1, 0] })]);
    run(b, [b.op("Neg", [b.op("Transpose", [sum], { perm: [1, 0] })])]);
    expect(ops(b)).toEqual(["Add(x, y)", "Neg(Add_output_0_untransposed)"]);
  });

  test("a refused rewrite changes nothing: a constant input is not permuted when another input cannot move", () => {
    // Where(cond, T(x), y): cond could be permuted, but y (a graph input) cannot, so nothing moves.
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3));
    const y = b.addInput("y", f32(3, 2));
    const cond = b.initializer({ dtype: "bool", shape: [3, 2], data: { kind: "bytes", bytes: encodeScalars([1, 0, 0, 1, 1, 1], "bool") } }, "cond");
    const where = b.op("Where", [cond, b.op("Transpose", [x], { perm: [1, 0] }), y]);
    expect(run(b, [where])).toBe(false);
    expect(ops(b)).toEqual(["Transpose(x)", "Where(cond, Transpose_output_0, y)"]);
    expect(cond.type.shape).toEqual([3, 2]);
    expect(valuesOf(cond)).toEqual([1, 0, 0, 1, 1, 1]);
  });

  test("a Transpose with two readers stays", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3));
    const t = b.op("Transpose", [x], { perm: [1, 0] });
    run(b, [b.op("Relu", [t]), b.op("Tanh", [t])]);
    expect(ops(b)).toEqual(["Transpose(x)", "Relu(Transpose_output_0)", "Tanh(Transpose_output_0)"]);
  });

  test("a long chain of NCHW islands cancels everywhere, with a scalar shared by all of them", () => {
    // conv-like islands: T(to NCHW) -> Mul(., half) -> Relu -> T(back); 3000 of them in a row.
    const b = new GraphBuilder("g");
    let v = b.addInput("x", f32(1, 4, 4, 2));
    const half = b.scalar(0.5, "float32");
    for (let i = 0; i < 3000; i++) {
      const t = b.op("Transpose", [v], { perm: [0, 3, 1, 2] });
      v = b.op("Transpose", [b.op("Relu", [b.op("Mul", [t, half])])], { perm: [0, 2, 3, 1] });
    }
    run(b, [b.op("Neg", [v])]);
    const kinds = new Set(b.graph.nodes.map((n) => n.op));
    expect([...kinds].sort()).toEqual(["Mul", "Neg", "Relu"]);
    expect(b.graph.nodes).toHaveLength(6001);
    // Still in topological order: every input is made before it is read.
    const made = new Set<Value>([...b.graph.inputs, ...b.graph.initializers]);
    for (const n of b.graph.nodes) {
      for (const i of n.inputs) expect(i && made.has(i)).toBe(true);
      n.outputs.forEach((o) => made.add(o));
    }
  });
});

describe("SinkTransposes: constants move only with a rewrite that happens", () => {
  test("Case 3: Transpose then Add with a constant: the Add first on the permuted constant", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2, 3] });
    const t = b.op("Transpose", [x], { perm: [1, 0] });
    const c = b.constant([1, 2, 3, 4, 5, 6], "float32", [3, 2], "c");
    b.graph.outputs.push(b.op("Add", [t, c]));
    expect(new SinkTransposes().run(b.graph).modified).toBe(true);
    expect(ops(b)).toEqual(["Add(x, c)", "Transpose(Add_output_0_untransposed)"]);
    // c [[1,2],[3,4],[5,6]] transposed: [[1,3,5],[2,4,6]].
    expect(valuesOf(c)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  test("an op with an input that cannot move stays, and leaves its constants as they were", () => {
    // Where(mask, x, x^T) (eigh reads one triangle so): x is neither a Transpose nor a constant,
    // so nothing moves; the mask once came out permuted because it was moved before x was looked at.
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2, 2] });
    const mask = b.constant([true, false, true, true], "bool", [2, 2], "mask");
    const t = b.op("Transpose", [x], { perm: [1, 0] });
    b.graph.outputs.push(b.op("Where", [mask, x, t]));
    expect(new SinkTransposes().run(b.graph).modified).toBe(false);
    expect(ops(b)).toEqual(["Transpose(x)", "Where(mask, x, Transpose_output_0)"]);
    expect(valuesOf(mask)).toEqual([1, 0, 1, 1]);
  });
});
