import { GraphBuilder } from "../ir/builder";
import { knownValues, type Value } from "../ir/ir";
import { fuse } from "./testing";

function graph(shape: number[]): { b: GraphBuilder; x: Value } {
  const b = new GraphBuilder("g");
  return { b, x: b.addInput("x", { dtype: "float32", shape }) };
}

const inputsOf = (b: GraphBuilder, op: string): (Value | null)[] => b.graph.nodes.find((n) => n.op === op)!.inputs;

describe("layout_chain", () => {
  test("Case 1: Equinox's CHW -> HWC, unit batch, NHWC -> NCHW in front of a pool is one Unsqueeze", () => {
    const { b, x } = graph([32, 28, 28]);
    const hwc = b.op("Unsqueeze", [b.op("Transpose", [x], { perm: [1, 2, 0] }), b.int64s([0])]);
    b.graph.outputs.push(b.op("AveragePool", [b.op("Transpose", [hwc], { perm: [0, 3, 1, 2] })], { kernel_shape: [2, 2], strides: [2, 2] }));
    expect(fuse(b).ops).toEqual(["Unsqueeze", "AveragePool"]);
    const [read, axes] = inputsOf(b, "Unsqueeze");
    expect([read, knownValues(axes)]).toEqual([x, [0]]);
  });

  test("Case 1: a Squeeze undone by an Unsqueeze leaves nothing", () => {
    const { b, x } = graph([1, 4, 5, 5]);
    const back = b.op("Unsqueeze", [b.op("Squeeze", [x, b.int64s([0])]), b.int64s([0])]);
    b.graph.outputs.push(b.op("Relu", [back]));
    expect(fuse(b).ops).toEqual(["Relu"]);
    expect(inputsOf(b, "Relu")[0]).toBe(x);
  });

  test("Case 1: two Squeezes are one, with both axes", () => {
    const { b, x } = graph([1, 6, 1, 2]);
    b.graph.outputs.push(b.op("Relu", [b.op("Squeeze", [b.op("Squeeze", [x, b.int64s([0])]), b.int64s([1])])]));
    expect(fuse(b).ops).toEqual(["Squeeze", "Relu"]);
    expect(knownValues(inputsOf(b, "Squeeze")[1])).toEqual([0, 2]);
  });

  test("Case 1: a unit dim dropped in one place and added in another is a static Reshape", () => {
    const { b, x } = graph([1, 6, 2]);
    b.graph.outputs.push(b.op("Relu", [b.op("Unsqueeze", [b.op("Squeeze", [x, b.int64s([0])]), b.int64s([2])])]));
    expect(fuse(b).ops).toEqual(["Reshape", "Relu"]);
    expect(knownValues(inputsOf(b, "Reshape")[1])).toEqual([6, 2, 1]);
  });

  test("Case 2: a flattening Reshape reads through the transposes that undo each other", () => {
    const { b, x } = graph([1, 64, 7, 7]);
    const hwc = b.op("Squeeze", [b.op("Transpose", [x], { perm: [0, 2, 3, 1] }), b.int64s([0])]);
    const flat = b.op("Reshape", [b.op("Transpose", [hwc], { perm: [2, 0, 1] }), b.int64s([3136])]);
    b.graph.outputs.push(b.op("Relu", [flat]));
    expect(fuse(b).ops).toEqual(["Reshape", "Relu"]);
    expect(inputsOf(b, "Reshape")[0]).toBe(x);
  });

  test("a Transpose that moves non-unit dims stays", () => {
    const { b, x } = graph([2, 3]);
    const y = b.op("Unsqueeze", [b.op("Transpose", [x], { perm: [1, 0] }), b.int64s([0])]);
    b.graph.outputs.push(b.op("Relu", [y]));
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Transpose", "Unsqueeze", "Relu"]);
    expect(rejections.find((r) => r.rule === "layout_chain")?.reason).toMatch(/reorder elements/);
  });

  test("a step read elsewhere too stays", () => {
    const { b, x } = graph([1, 4]);
    const squeezed = b.op("Squeeze", [x, b.int64s([0])]);
    b.graph.outputs.push(b.op("Relu", [b.op("Unsqueeze", [squeezed, b.int64s([0])])]), b.op("Neg", [squeezed]));
    expect(fuse(b).ops).toEqual(["Squeeze", "Unsqueeze", "Relu", "Neg"]);
  });

  test("symbolic dims: Squeeze and Unsqueeze still say it, a Reshape would not", () => {
    const { b } = { b: new GraphBuilder("g") };
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 1, 3] });
    const t = b.op("Transpose", [b.op("Squeeze", [x, b.int64s([1])])], { perm: [0, 1] });
    b.graph.outputs.push(b.op("Relu", [t]));
    expect(fuse(b).ops).toEqual(["Squeeze", "Relu"]);
  });

  test("Case 3: Transpose, Unsqueeze, Transpose, Squeeze between shapes without unit dims is one Transpose", () => {
    // Attention's [B,N,T,H] to dot_product_attention's [B,T,N,H] the way the einsum fusion leaves it.
    const { b, x } = graph([2, 3, 5, 4]);
    const t1 = b.op("Transpose", [x], { perm: [0, 1, 3, 2] });
    const u = b.op("Unsqueeze", [t1, b.int64s([3])]);
    const t2 = b.op("Transpose", [u], { perm: [3, 0, 4, 1, 2] });
    b.graph.outputs.push(b.op("Relu", [b.op("Squeeze", [t2, b.int64s([0])])]));
    expect(fuse(b).ops).toEqual(["Transpose", "Relu"]);
    const tr = b.graph.nodes[0];
    expect(tr.inputs[0]).toBe(x);
    expect(tr.attrs.perm?.value).toEqual([0, 2, 1, 3]);
  });

  test("Case 3 needs both ends free of unit dims (a unit dim's place is not a permutation)", () => {
    const { b, x } = graph([2, 1, 5]);
    b.graph.outputs.push(b.op("Relu", [b.op("Transpose", [b.op("Squeeze", [x, b.int64s([1])])], { perm: [1, 0] })]));
    expect(fuse(b).ops).toEqual(["Squeeze", "Transpose", "Relu"]);
  });

  test("Case 1: Reshapes that split and merge dims back are nothing, also with symbolic dims", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", "T", 32] });
    const split = b.op("Reshape", [x, b.int64s([0, 0, 4, 8])], {}, { types: [{ dtype: "float32", shape: ["B", "T", 4, 8] }] });
    const merged = b.op("Reshape", [split, b.addInput("shape", { dtype: "int64", shape: [3] })], {}, { types: [{ dtype: "float32", shape: ["B", "T", 32] }] });
    b.graph.outputs.push(b.op("Relu", [merged]));
    expect(fuse(b).ops).toEqual(["Relu"]);
    expect(inputsOf(b, "Relu")[0]).toBe(x);
  });

  test("Case 2: a Reshape with 0s reads the chain's start when the start has those dims", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 17, 1, 4, 8] });
    const sq = b.op("Squeeze", [x, b.int64s([2])]);
    b.graph.outputs.push(b.op("Relu", [b.op("Reshape", [sq, b.int64s([0, 0, 32])], {}, { types: [{ dtype: "float32", shape: ["B", 17, 32] }] })]));
    expect(fuse(b).ops).toEqual(["Reshape", "Relu"]);
    expect(inputsOf(b, "Reshape")[0]).toBe(x);
  });

  test("Case 2 not when a 0 would copy another dim of the start", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [1, "B", 17, 32] });
    const sq = b.op("Squeeze", [x, b.int64s([0])]);
    b.graph.outputs.push(b.op("Relu", [b.op("Reshape", [sq, b.int64s([0, 17, 4, 8])], {}, { types: [{ dtype: "float32", shape: ["B", 17, 4, 8] }] })]));
    expect(fuse(b).ops).toEqual(["Squeeze", "Reshape", "Relu"]);
  });
});
