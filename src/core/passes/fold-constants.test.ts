import { decodeScalars, encodeScalars, type DType } from "../ir/dtype";
import { attr, Graph, Node, Value, type TensorType } from "../ir/ir";
import { FoldConstants, MAX_FOLDED_ELEMENTS } from "./fold-constants";

const constant = (g: Graph, name: string, values: number[], shape: number[], dtype: DType = "float32"): Value => {
  const v = new Value(name, { dtype, shape });
  v.tensor = { dtype, shape, data: { kind: "bytes", bytes: encodeScalars(values, dtype) } };
  g.initializers.push(v);
  return v;
};
const out = (name: string, type: TensorType): Value => new Value(name, type);
const valuesOf = (v: Value): number[] => {
  const t = v.tensor;
  if (!t || t.data.kind !== "bytes") throw new Error(`${v.name} is not a folded constant`);
  return decodeScalars(t.data.bytes, t.dtype);
};

describe("FoldConstants", () => {
  test("Case 1: BatchNorm's scale 1/sqrt(var + eps) * gamma folds to one constant, rounded to float32", () => {
    const g = new Graph("g");
    const variance = constant(g, "var", [0.5, 2, 4], [3]);
    const eps = constant(g, "eps", [1e-5], []);
    const gamma = constant(g, "gamma", [1, -2, 0.25], [3]);
    const t = { dtype: "float32" as const, shape: [3] };
    const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => out(n, t));
    g.nodes = [new Node("add", "Add", [variance, eps], [a]), new Node("sqrt", "Sqrt", [a], [b]), new Node("rcp", "Reciprocal", [b], [c]), new Node("mul", "Mul", [c, gamma], [d])];
    const x = new Value("x", t);
    g.inputs.push(x);
    const y = out("y", t);
    g.nodes.push(new Node("use", "Mul", [x, d], [y]));
    g.outputs.push(y);

    const result = new FoldConstants().run(g);

    expect(result.modified).toBe(true);
    expect(g.nodes.map((n) => n.name)).toEqual(["use"]);
    // Step by step in float32, as onnxruntime would compute it.
    const f = Math.fround;
    const expected = [0.5, 2, 4].map((v, i) => f(f(1 / f(Math.sqrt(f(v + f(1e-5))))) * [1, -2, 0.25][i]));
    expect(valuesOf(d)).toEqual(expected);
    expect(d.producer).toBeNull();
    expect(g.initializers).toContain(d);
  });

  test("Case 1: broadcasting binary ops and comparisons", () => {
    const g = new Graph("g");
    const sub = new Node("sub", "Sub", [constant(g, "a", [1, 2, 3, 4, 5, 6], [2, 3]), constant(g, "b", [10, 20, 30], [3])], [out("d", { dtype: "float32", shape: [2, 3] })]);
    const less = new Node("lt", "Less", [constant(g, "c", [1, 5], [2, 1]), constant(g, "e", [2, 3, 6], [3])], [out("l", { dtype: "bool", shape: [2, 3] })]);
    g.nodes = [sub, less];
    new FoldConstants().run(g);
    expect(valuesOf(sub.outputs[0])).toEqual([-9, -18, -27, -6, -15, -24]);
    expect(valuesOf(less.outputs[0])).toEqual([1, 1, 1, 0, 0, 1]);
    expect(g.nodes).toEqual([]);
  });

  test("Case 1: integer Div truncates toward zero and Cast truncates floats", () => {
    const g = new Graph("g");
    const div = new Node("div", "Div", [constant(g, "a", [7, -7], [2], "int64"), constant(g, "b", [2, 2], [2], "int64")], [out("q", { dtype: "int64", shape: [2] })]);
    const cast = new Node("cast", "Cast", [constant(g, "f", [2.7, -2.7, 0], [3])], [out("c", { dtype: "int32", shape: [3] })], { to: attr.int(6) });
    const toBool = new Node("tobool", "Cast", [constant(g, "f2", [0, -0.5], [2])], [out("bb", { dtype: "bool", shape: [2] })], { to: attr.int(9) });
    g.nodes = [div, cast, toBool];
    new FoldConstants().run(g);
    expect(valuesOf(div.outputs[0])).toEqual([3, -3]);
    expect(valuesOf(cast.outputs[0])).toEqual([2, -2, 0]);
    expect(valuesOf(toBool.outputs[0])).toEqual([0, 1]);
  });

  test("Case 2: Transpose, Concat and Reshape of known values", () => {
    const g = new Graph("g");
    const m = constant(g, "m", [1, 2, 3, 4, 5, 6], [2, 3]);
    const tr = new Node("t", "Transpose", [m], [out("mt", { dtype: "float32", shape: [3, 2] })], { perm: attr.ints([1, 0]) });
    const cat = new Node("c", "Concat", [constant(g, "p", [1, 2], [1, 2]), constant(g, "q", [3, 4, 5, 6], [2, 2])], [out("pq", { dtype: "float32", shape: [3, 2] })], { axis: attr.int(0) });
    const rs = new Node("r", "Reshape", [m, constant(g, "s", [3, 2], [2], "int64")], [out("mr", { dtype: "float32", shape: [3, 2] })]);
    g.nodes = [tr, cat, rs];
    new FoldConstants().run(g);
    expect(valuesOf(tr.outputs[0])).toEqual([1, 4, 2, 5, 3, 6]);
    expect(valuesOf(cat.outputs[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(valuesOf(rs.outputs[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rs.outputs[0].tensor?.shape).toEqual([3, 2]);
  });

  test("Case 3: Shape of a value with static dims folds even though its values are unknown", () => {
    const g = new Graph("g");
    const x = new Value("x", { dtype: "float32", shape: [4, 7, 9] });
    g.inputs.push(x);
    const shape = new Node("shape", "Shape", [x], [out("s", { dtype: "int64", shape: [2] })], { start: attr.int(1) });
    const symbolic = new Value("z", { dtype: "float32", shape: ["B", 3] });
    g.inputs.push(symbolic);
    const notStatic = new Node("shape2", "Shape", [symbolic], [out("s2", { dtype: "int64", shape: [2] })]);
    g.nodes = [shape, notStatic];
    new FoldConstants().run(g);
    expect(valuesOf(shape.outputs[0])).toEqual([7, 9]);
    expect(g.nodes.map((n) => n.name)).toEqual(["shape2"]);
  });

  test("Case 4: Gather and Range", () => {
    const g = new Graph("g");
    const gather = new Node("gather", "Gather", [constant(g, "d", [10, 11, 12, 13], [4], "int64"), constant(g, "i", [3, -4], [2], "int64")], [out("gd", { dtype: "int64", shape: [2] })]);
    const range = new Node("range", "Range", [constant(g, "s", [2], [], "int64"), constant(g, "l", [9], [], "int64"), constant(g, "st", [3], [], "int64")], [out("r", { dtype: "int64", shape: [3] })]);
    g.nodes = [gather, range];
    new FoldConstants().run(g);
    expect(valuesOf(gather.outputs[0])).toEqual([13, 10]);
    expect(valuesOf(range.outputs[0])).toEqual([2, 5, 8]);
  });

  test("Case 4: MatMul of a vector and a matrix (numpy 1-D semantics both ways); integer MatMul stays", () => {
    const g = new Graph("g");
    const w = constant(g, "w", [1, 2, 3, 4, 5, 6], [2, 3]);
    const row = new Node("row", "MatMul", [constant(g, "v", [1, -1], [2]), w], [out("vw", { dtype: "float32", shape: [3] })]);
    const col = new Node("col", "MatMul", [w, constant(g, "u", [1, 0, 2], [3])], [out("wu", { dtype: "float32", shape: [2] })]);
    const ints = new Node("ints", "MatMul", [constant(g, "iv", [1, 2], [2], "int32"), constant(g, "iw", [1, 2, 3, 4], [2, 2], "int32")], [out("ii", { dtype: "int32", shape: [2] })]);
    g.nodes = [row, col, ints];
    g.outputs.push(new Value("sink", { dtype: "float32", shape: [] }));
    new FoldConstants().run(g);
    expect(valuesOf(row.outputs[0])).toEqual([-3, -3, -3]);
    expect(valuesOf(col.outputs[0])).toEqual([7, 16]);
    expect(ints.outputs[0].tensor).toBeNull();
  });

  test("refuses host-held weights, graph outputs, and results that would grow the file", () => {
    const g = new Graph("g");
    const weight = new Value("w", { dtype: "float32", shape: [2] });
    weight.tensor = { dtype: "float32", shape: [2], data: { kind: "host", buffer: 0, sourceShape: [2] } };
    g.initializers.push(weight);
    const neg = new Node("neg", "Neg", [weight], [out("nw", { dtype: "float32", shape: [2] })]);
    const big = MAX_FOLDED_ELEMENTS + 1;
    const expand = new Node("expand", "Expand", [constant(g, "one", [1], []), constant(g, "shape", [big], [1], "int64")], [out("big", { dtype: "float32", shape: [big] })]);
    const asOutput = new Node("exp", "Exp", [constant(g, "z", [0], [])], [out("o", { dtype: "float32", shape: [] })]);
    g.nodes = [neg, expand, asOutput];
    g.outputs.push(asOutput.outputs[0]);

    const result = new FoldConstants().run(g);

    expect(result.modified).toBe(false);
    expect(g.nodes.map((n) => n.name)).toEqual(["neg", "expand", "exp"]);
  });

  test("leaves int64 values beyond 2^53 alone rather than round them", () => {
    const g = new Graph("g");
    const huge = new Value("huge", { dtype: "int64", shape: [1] });
    huge.tensor = { dtype: "int64", shape: [1], data: { kind: "bytes", bytes: encodeScalars([2n ** 62n + 1n], "int64") } };
    g.initializers.push(huge);
    const id = new Node("id", "Identity", [huge], [out("o", { dtype: "int64", shape: [1] })]);
    g.nodes = [id];
    expect(new FoldConstants().run(g).modified).toBe(false);
  });
});
