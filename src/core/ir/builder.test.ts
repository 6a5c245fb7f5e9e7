import { checkAndRunOnnx } from "../../testing/onnx-runners";
import { joinChunks } from "../serialize/chunks";
import { serializeModel } from "../serialize/model-proto";
import { BuilderError, GraphBuilder, NameTable } from "./builder";
import { attr, type Node } from "./ir";

const f32 = (...shape: (number | string)[]) => ({ dtype: "float32" as const, shape });
const summary = (nodes: readonly Node[]): string[] => nodes.map((n) => `${n.op}(${n.inputs.map((v) => v?.name ?? "").join(", ")}) -> ${n.outputs.map((v) => v.name).join(", ")}`);

describe("names", () => {
  test("node and value names are unique and carry the scope", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2));
    const a1 = b.op("Neg", [x]);
    const a2 = b.op("Neg", [a1]);
    b.scope = "mlp/linear1";
    const a3 = b.op("Neg", [a2]);
    expect(summary(b.graph.nodes)).toEqual([
      "Neg(x) -> Neg_output_0",
      "Neg(Neg_output_0) -> Neg_1_output_0",
      "Neg(Neg_1_output_0) -> mlp/linear1/Neg_output_0",
    ]);
    expect(b.graph.nodes.map((n) => n.name)).toEqual(["Neg", "Neg_1", "mlp/linear1/Neg"]);
    expect(a3.name).toBe("mlp/linear1/Neg_output_0");
  });

  test("a generated name steps around a name already taken", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("Neg_output_0", f32(2));
    expect(b.op("Neg", [x]).name).toBe("Neg_output_0_1");
  });

  test("reserved names (inputs, outputs) may not be taken twice", () => {
    const b = new GraphBuilder("g");
    b.addInput("x", f32(2));
    expect(() => b.addInput("x", f32(3))).toThrow(BuilderError);
    const names = new NameTable();
    names.reserve("y");
    expect(() => names.reserve("y")).toThrow('name "y" is used twice');
  });

  test("a subgraph builder sharing the name table cannot shadow outer names", () => {
    const outer = new GraphBuilder("main");
    const x = outer.addInput("x", f32(2));
    outer.op("Neg", [x]);
    const body = new GraphBuilder("body", outer.names);
    const y = body.addInput("y", f32(2));
    expect(body.op("Neg", [y]).name).toBe("Neg_1_output_0");
  });
});

describe("constants", () => {
  test("identical constants are one initializer", () => {
    const b = new GraphBuilder("g");
    const c1 = b.int64s([1, 2]);
    const c2 = b.constant([1, 2], "int64");
    expect(c2).toBe(c1);
    expect(b.graph.initializers).toEqual([c1]);
    expect(c1.type).toEqual({ dtype: "int64", shape: [2] });
    expect(b.constantValues(c1)).toEqual([1, 2]);
  });

  test("same values with another dtype or shape are other constants", () => {
    const b = new GraphBuilder("g");
    const a = b.constant([1, 2], "int64");
    const c = b.constant([1, 2], "int32");
    const d = b.constant([1, 2], "int64", [2, 1]);
    const e = b.scalar(1, "float32");
    expect(new Set([a, c, d, e]).size).toBe(4);
    expect(b.graph.initializers.map((v) => v.name)).toEqual(["const", "const_1", "const_2", "const_3"]);
    expect(e.type).toEqual({ dtype: "float32", shape: [] });
  });

  test("constants over 1 KiB are not deduplicated (their key would be as big as they are)", () => {
    const b = new GraphBuilder("g");
    const big = new Array(300).fill(7);
    expect(b.constant(big, "float32")).not.toBe(b.constant(big, "float32"));
  });

  test("an initializer is named uniquely and holds its tensor by reference", () => {
    const b = new GraphBuilder("g");
    const bytes = new Uint8Array(12);
    const w1 = b.initializer({ dtype: "float32", shape: [3], data: { kind: "bytes", bytes } }, "w");
    const w2 = b.initializer({ dtype: "float32", shape: [3], data: { kind: "host", buffer: 0, sourceShape: [3] } }, "w");
    expect([w1.name, w2.name]).toEqual(["w", "w_1"]);
    expect(w1.tensor?.data).toEqual({ kind: "bytes", bytes });
    expect((w1.tensor?.data as { bytes: Uint8Array }).bytes).toBe(bytes);
    expect(b.constantValues(w2)).toBeNull();
  });
});

describe("attributes", () => {
  test("plain numbers are ints, plain lists int lists, strings strings; floats go through attr", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3));
    b.op("Transpose", [x], { perm: [1, 0] });
    b.op("LeakyRelu", [x], { alpha: attr.float(0.5) });
    b.op("Gelu", [x], { approximate: "tanh" });
    expect(b.graph.nodes.map((n) => n.attrs)).toEqual([
      { perm: { type: "ints", value: [1, 0] } },
      { alpha: { type: "float", value: 0.5 } },
      { approximate: { type: "string", value: "tanh" } },
    ]);
  });

  test("a non-integer plain number or list is an error pointing at attr.float(s)", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2));
    expect(() => b.op("LeakyRelu", [x], { alpha: 0.5 })).toThrow("attribute alpha=0.5: plain numbers are ints; use attr.float(...)");
    expect(() => b.op("Clip", [x], { bounds: [0, 0.5] })).toThrow(/use attr.floats/);
    expect(b.graph.nodes).toEqual([]);
  });
});

describe("op", () => {
  test("types come from the type rule", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32("B", 3));
    const w = b.constant([1, 2, 3, 4, 5, 6], "float32", [3, 2]);
    expect(b.op("MatMul", [x, w]).type).toEqual(f32("B", 2));
  });

  test("an op without a type rule is an error unless its types are given", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(4));
    expect(() => b.op("FancyOp", [x])).toThrow(/no type rule for ONNX op FancyOp: pass opts.types/);
    const y = b.op("FancyOp", [x], {}, { types: [f32(4)], domain: "com.example" });
    expect(y.type).toEqual(f32(4));
    expect(b.graph.nodes.map((n) => [n.op, n.domain])).toEqual([["FancyOp", "com.example"]]);
  });

  test("a type rule's complaint becomes a BuilderError naming the input types", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2, 3));
    const y = b.addInput("y", f32(4));
    expect(() => b.op("Add", [x, y])).toThrow(BuilderError);
    expect(() => b.op("Add", [x, y])).toThrow("Add on float32[2,3], float32[4]: Add: shapes [2,3] and [4] do not broadcast");
  });

  test("several outputs need ops(); every node carries the builder's metadata", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(4));
    expect(() => b.op("Split", [x], {}, { outputs: 2, types: [f32(2), f32(2)] })).toThrow(/use ops\(\)/);
    b.metadata = { primitive: "split", source: "model.py:3" };
    const [p, q] = b.ops("Split", [x], { axis: 0 }, { types: [f32(2), f32(2)] });
    expect([p.name, q.name]).toEqual(["Split_output_0", "Split_output_1"]);
    expect(p.producer).toBe(q.producer);
    expect(p.producer?.metadata).toEqual({ primitive: "split", source: "model.py:3" });
  });
});

describe("shapeTensor", () => {
  test("a static shape is one int64 constant and no nodes", () => {
    const b = new GraphBuilder("g");
    const s = b.shapeTensor([2, 3]);
    expect(b.constantValues(s)).toEqual([2, 3]);
    expect(b.graph.nodes).toEqual([]);
  });

  test("symbolic dims are read once per symbol from the graph input that has them", () => {
    const b = new GraphBuilder("g");
    b.addInput("x", f32("B", 3));
    b.addInput("y", f32(5, "C"));
    b.metadata = { primitive: "reshape" };
    const s = b.shapeTensor(["B", 4, 5, "2*B", "C"]);
    expect(summary(b.graph.nodes)).toEqual([
      "Shape(x) -> Shape_output_0",
      "Mul(const_1, Shape_output_0) -> Mul_output_0",
      "Shape(y) -> Shape_1_output_0",
      "Concat(Shape_output_0, const, Mul_output_0, Shape_1_output_0) -> Concat_output_0",
    ]);
    expect(b.graph.nodes.slice(0, 3).map((n) => n.attrs)).toEqual([
      { start: { type: "int", value: 0 }, end: { type: "int", value: 1 } },
      {},
      { start: { type: "int", value: 1 }, end: { type: "int", value: 2 } },
    ]);
    expect(b.constantValues(b.graph.initializers[0])).toEqual([4, 5]); // the static run stays one constant
    expect(s.type).toEqual({ dtype: "int64", shape: [5] });
    expect(b.graph.nodes[0].metadata.primitive).toBe("reshape");

    // Asked again: only a new Concat; a lone dim is the cached value itself.
    b.shapeTensor(["B", 4, 5, "2*B", "C"]);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(["Shape", "Mul", "Shape", "Concat", "Concat"]);
    expect(b.shapeTensor(["2*B"])).toBe(b.graph.nodes[1].outputs[0]);
    expect(b.graph.nodes).toHaveLength(5);
  });

  test("dim nodes made outside an eqn are marked as such", () => {
    const b = new GraphBuilder("g");
    b.addInput("x", f32("N"));
    b.dimTensor("N");
    expect(b.graph.nodes[0].metadata).toEqual({ primitive: "dim" });
  });

  test("a symbol no graph input has as a plain dim, an unknown dim, a symbolic power are errors", () => {
    const b = new GraphBuilder("g");
    b.addInput("x", f32("2*B", "C"));
    expect(() => b.shapeTensor(["B"])).toThrow('dimension "B" uses symbol B, which no graph input has as a plain dimension');
    expect(() => b.shapeTensor([null])).toThrow(/unknown dimension/);
    expect(() => b.shapeTensor(["C^C"])).toThrow(/only positive integer powers/);
  });

  test("computes JAX's dim expressions at run time (onnxruntime, B=7, C=3)", () => {
    const b = new GraphBuilder("dims");
    b.addInput("x", f32("B", 3));
    b.addInput("y", f32("C"));
    const dims = ["B", 4, "2*B", "B + 1", "- B + 5", "floordiv(B, 2)", "mod(B, 3)", "max(B, 4)", "min(B, 4)", "B^2", "B*C", "floordiv(B*C, 2)", "non_negative(C - B)"];
    const s = b.shapeTensor(dims);
    s.name = "dims";
    b.graph.outputs.push(s);
    const chunks = serializeModel({ graph: b.graph, opsetImports: [{ domain: "", version: 21 }], producerName: "test", producerVersion: "0", metadata: {} });
    const model = joinChunks(chunks, () => {
      throw new Error("no host tensors here");
    });
    const out = checkAndRunOnnx(model, {
      x: { dtype: "float32", shape: [7, 3], data: new Array(21).fill(0) },
      y: { dtype: "float32", shape: [3], data: [0, 0, 0] },
    });
    // 7, 4, 2*7, 7+1, 5-7, 7//2, 7%3, max(7,4), min(7,4), 7^2, 7*3, 21//2, max(3-7, 0)
    expect(out.dims).toEqual({ dtype: "int64", shape: [13], data: [7, 4, 14, 8, -2, 3, 1, 7, 4, 49, 21, 10, 0] });
  });
});

describe("GraphBuilder.child (subgraphs)", () => {
  test("constants and symbolic dims go to the outermost graph; nodes and names stay unique across graphs", () => {
    const root = new GraphBuilder("main");
    const x = root.addInput("x", { dtype: "float32", shape: ["B", 3] });
    const body = root.child("body").child("inner");
    const h = body.addFreshInput("x", { dtype: "float32", shape: ["B", 3] });
    const y = body.op("Mul", [h, body.scalar(2, "float32")]);
    const shape = body.shapeTensor(["B", 3]);

    expect(body.graph.inputs.map((v) => v.name)).toEqual(["x_1"]);
    expect(body.graph.nodes.map((n) => n.op)).toEqual(["Mul"]);
    expect(body.graph.initializers).toEqual([]);
    // The scalar and the [3] of the shape are initializers of the main graph, the Shape of x a node there.
    expect(root.graph.initializers.length).toBe(2);
    expect(root.graph.nodes.map((n) => n.op)).toEqual(["Shape", "Concat"]);
    expect(root.graph.nodes[0].inputs).toEqual([x]);
    expect(shape.producer?.op).toBe("Concat");
    expect(y.name).not.toBe(x.name);
  });
});

