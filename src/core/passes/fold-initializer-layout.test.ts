import fc from "fast-check";
import { GraphBuilder } from "../ir/builder";
import { decodeScalars, encodeScalars } from "../ir/dtype";
import { attr, type Tensor, type Value } from "../ir/ir";
import { FoldInitializerLayout, transposeBytes, transposeTensor } from "./fold-initializer-layout";

const f32 = (...shape: number[]) => ({ dtype: "float32" as const, shape });
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const bytesTensor = (shape: number[]): Tensor => ({ dtype: "float32", shape, data: { kind: "bytes", bytes: encodeScalars(iota(shape.reduce((a, b) => a * b, 1)), "float32") } });
const hostTensor = (shape: number[], buffer = 0): Tensor => ({ dtype: "float32", shape, data: { kind: "host", buffer, sourceShape: shape } });
const valuesOf = (v: Value): number[] => {
  const data = v.tensor?.data;
  if (data?.kind !== "bytes") throw new Error(`${v.name} holds no bytes`);
  return decodeScalars(data.bytes, "float32");
};
const ops = (b: GraphBuilder): string[] => b.graph.nodes.map((n) => `${n.op}(${n.inputs.map((v) => v?.name).join(", ")})`);

/** numpy's x.transpose(perm) on row-major values, spelled out with multi-indices. */
function naiveTranspose(values: readonly number[], shape: readonly number[], perm: readonly number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const flat = (index: number[], dims: readonly number[]): number => index.reduce((acc, i, d) => acc * dims[d] + i, 0);
  const out = new Array<number>(values.length);
  for (let k = 0; k < values.length; k++) {
    const outIndex: number[] = [];
    let rest = k;
    for (let d = outShape.length - 1; d >= 0; d--) {
      outIndex[d] = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
    }
    const inIndex: number[] = [];
    perm.forEach((p, d) => (inIndex[p] = outIndex[d]));
    out[k] = values[flat(inIndex, shape)];
  }
  return out;
}

describe("transposeBytes", () => {
  test("a 2x3 matrix, by hand", () => {
    // [[0,1,2],[3,4,5]].T = [[0,3],[1,4],[2,5]]
    const out = transposeBytes(encodeScalars(iota(6), "float32"), [2, 3], [1, 0], 4);
    expect(decodeScalars(out, "float32")).toEqual([0, 3, 1, 4, 2, 5]);
  });

  test("rank 3 with 2-byte elements: out[k][i][j] = in[i][j][k]", () => {
    const input = iota(24);
    const expected: number[] = [];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(input[i * 12 + j * 4 + k]);
    const out = transposeBytes(encodeScalars(input, "int16"), [2, 3, 4], [2, 0, 1], 2);
    expect(decodeScalars(out, "int16")).toEqual(expected);
  });
  test("any shape, permutation, element size and byte offset: numpy's transpose, element bytes intact", () => {
    const case_ = fc
      .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 })
      .chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(iota(shape.length), { minLength: shape.length, maxLength: shape.length }), fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 0, max: 7 })));
    fc.assert(
      fc.property(case_, ([shape, perm, size, offset]) => {
        const count = shape.reduce((a, b) => a * b, 1);
        // Element e's bytes are (e * size + i) mod 251: every byte of every element differs.
        const backing = new Uint8Array(offset + count * size);
        for (let i = 0; i < count * size; i++) backing[offset + i] = i % 251;
        const out = transposeBytes(backing.subarray(offset), shape, perm, size);
        const order = naiveTranspose(iota(count), shape, perm);
        const expected = order.flatMap((e) => iota(size).map((i) => (e * size + i) % 251));
        expect([...out]).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("transposeTensor on host tensors composes permutations", () => {
  test("source.transpose(prev).transpose(perm) = source.transpose(prev[perm])", () => {
    const once = transposeTensor(hostTensor([2, 3, 4]), [1, 0, 2]);
    const twice = once && transposeTensor(once, [0, 2, 1]);
    expect(twice).toEqual({ dtype: "float32", shape: [3, 4, 2], data: { kind: "host", buffer: 0, sourceShape: [2, 3, 4], perm: [1, 2, 0] } });
    // The composed perm means the same as the two transposes one after the other.
    const source = iota(24);
    expect(naiveTranspose(source, [2, 3, 4], [1, 2, 0])).toEqual(naiveTranspose(naiveTranspose(source, [2, 3, 4], [1, 0, 2]), [3, 2, 4], [0, 2, 1]));
  });

  test("a transpose and its inverse compose to the identity", () => {
    const back = transposeTensor(transposeTensor(hostTensor([2, 3, 4]), [1, 2, 0])!, [2, 0, 1]);
    expect(back?.data).toEqual({ kind: "host", buffer: 0, sourceShape: [2, 3, 4], perm: [0, 1, 2] });
    expect(back?.shape).toEqual([2, 3, 4]);
  });
});

describe("FoldInitializerLayout", () => {
  test("Case 1: a Transpose of converter-held bytes is done here", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(4, 3));
    const w = b.initializer(bytesTensor([2, 3]), "w");
    const y = b.op("MatMul", [x, b.op("Transpose", [w], { perm: [1, 0] })]);
    b.graph.outputs.push(y);

    const result = new FoldInitializerLayout().run(b.graph);

    expect(result.modified).toBe(true);
    expect(ops(b)).toEqual(["MatMul(x, w)"]);
    expect(w.type).toEqual(f32(3, 2));
    expect(w.tensor?.shape).toEqual([3, 2]);
    expect(valuesOf(w)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  test("Case 2: a Transpose of host bytes becomes a perm the host applies", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(4, 3));
    const w = b.initializer(hostTensor([2, 3], 7), "w");
    b.graph.outputs.push(b.op("MatMul", [x, b.op("Transpose", [w], { perm: [1, 0] })]));

    new FoldInitializerLayout().run(b.graph);

    expect(ops(b)).toEqual(["MatMul(x, w)"]);
    expect(w.tensor).toEqual({ dtype: "float32", shape: [3, 2], data: { kind: "host", buffer: 7, sourceShape: [2, 3], perm: [1, 0] } });
  });

  test("Case 2: two Transposes in a row fold into one perm", () => {
    const b = new GraphBuilder("g");
    const w = b.initializer(hostTensor([2, 3, 4]), "w");
    const t1 = b.op("Transpose", [w], { perm: [1, 0, 2] });
    const t2 = b.op("Transpose", [t1], { perm: [0, 2, 1] });
    b.graph.outputs.push(b.op("Neg", [t2]));

    new FoldInitializerLayout().run(b.graph);

    expect(ops(b)).toEqual(["Neg(w)"]);
    expect(w.tensor?.data).toEqual({ kind: "host", buffer: 0, sourceShape: [2, 3, 4], perm: [1, 2, 0] });
    expect(w.type.shape).toEqual([3, 4, 2]);
  });

  test("Case 3: Reshape / Unsqueeze / Squeeze change only the shape, wherever the bytes are", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(1, 4));
    const host = b.initializer(hostTensor([4, 3]), "w");
    const bias = b.initializer(bytesTensor([4]), "bias");
    const scale = b.initializer(bytesTensor([1, 4, 1]), "scale");
    const biasBytes = (bias.tensor?.data as { bytes: Uint8Array }).bytes;
    const flat = b.op("Reshape", [host, b.int64s([12])]);
    const row = b.op("Unsqueeze", [bias, b.int64s([0])]);
    const col = b.op("Squeeze", [scale, b.int64s([2])]);
    b.graph.outputs.push(b.op("Add", [b.op("Mul", [x, col]), row]), b.op("Neg", [flat]));

    new FoldInitializerLayout().run(b.graph);

    expect(ops(b)).toEqual(["Mul(x, scale)", "Add(Mul_output_0, bias)", "Neg(w)"]);
    expect(host.tensor).toEqual({ dtype: "float32", shape: [12], data: { kind: "host", buffer: 0, sourceShape: [4, 3] } });
    expect(bias.type.shape).toEqual([1, 4]);
    expect((bias.tensor?.data as { bytes: Uint8Array }).bytes).toBe(biasBytes); // not copied
    expect(scale.type.shape).toEqual([1, 4]);
    // The shape/axes constants are left for dead-code-elimination.
    expect(b.graph.initializers.map((v) => v.name)).toEqual(["w", "bias", "scale", "const", "const_1", "const_2"]);
  });

  test("a Reshape after a host Transpose keeps the perm", () => {
    const b = new GraphBuilder("g");
    const w = b.initializer(hostTensor([2, 3]), "w");
    b.graph.outputs.push(b.op("Neg", [b.op("Reshape", [b.op("Transpose", [w], { perm: [1, 0] }), b.int64s([6])])]));

    new FoldInitializerLayout().run(b.graph);

    expect(ops(b)).toEqual(["Neg(w)"]);
    expect(w.tensor).toEqual({ dtype: "float32", shape: [6], data: { kind: "host", buffer: 0, sourceShape: [2, 3], perm: [1, 0] } });
  });

  test("refuses when the initializer has a second reader (the weight would be stored twice)", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(3, 2));
    const w = b.initializer(bytesTensor([2, 3]), "w");
    const t = b.op("Transpose", [w], { perm: [1, 0] });
    b.graph.outputs.push(b.op("Add", [x, t]), b.op("Neg", [w]));

    const result = new FoldInitializerLayout().run(b.graph);

    expect(result.modified).toBe(false);
    expect(ops(b)).toEqual(["Transpose(w)", "Add(x, Transpose_output_0)", "Neg(w)"]);
    expect(valuesOf(w)).toEqual(iota(6));
  });

  test("refuses when the op's result is a graph output", () => {
    const b = new GraphBuilder("g");
    const w = b.initializer(hostTensor([2, 3]), "w");
    b.graph.outputs.push(b.op("Transpose", [w], { perm: [1, 0] }));

    expect(new FoldInitializerLayout().run(b.graph).modified).toBe(false);
    expect(ops(b)).toEqual(["Transpose(w)"]);
    expect(w.tensor).toEqual(hostTensor([2, 3]));
  });

  test("refuses a Transpose after a Reshape of host bytes (no longer a permutation of the source)", () => {
    const b = new GraphBuilder("g");
    const w = b.initializer(hostTensor([4, 3]), "w");
    const r = b.op("Reshape", [w, b.int64s([3, 4])]);
    b.graph.outputs.push(b.op("Neg", [b.op("Transpose", [r], { perm: [1, 0] })]));

    new FoldInitializerLayout().run(b.graph);

    // The Reshape folds, the Transpose stays.
    expect(ops(b)).toEqual(["Transpose(w)", "Neg(Transpose_output_0)"]);
    expect(w.tensor).toEqual({ dtype: "float32", shape: [3, 4], data: { kind: "host", buffer: 0, sourceShape: [4, 3] } });
  });

  test("the same chain on converter-held bytes folds completely", () => {
    const b = new GraphBuilder("g");
    const w = b.initializer(bytesTensor([4, 3]), "w");
    const r = b.op("Reshape", [w, b.int64s([3, 4])]);
    b.graph.outputs.push(b.op("Neg", [b.op("Transpose", [r], { perm: [1, 0] })]));

    new FoldInitializerLayout().run(b.graph);

    expect(ops(b)).toEqual(["Neg(w)"]);
    // [[0..3],[4..7],[8..11]].T
    expect(valuesOf(w)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  test("refuses a Reshape whose target is only known at run time, and ops of other domains", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(12));
    const w = b.initializer(hostTensor([4, 3]), "w");
    const v = b.initializer(hostTensor([4, 3], 1), "v");
    const r = b.op("Reshape", [w, b.op("Shape", [x])]);
    const t = b.op("Transpose", [v], { perm: [1, 0] }, { domain: "com.example", types: [f32(3, 4)] });
    b.graph.outputs.push(b.op("Neg", [r]), b.op("Neg", [t]));

    expect(new FoldInitializerLayout().run(b.graph).modified).toBe(false);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(["Shape", "Reshape", "Transpose", "Neg", "Neg"]);
  });

  test("Case 4: a Transpose of a weight inside a loop body is folded once, out of the loop", () => {
    const b = new GraphBuilder("g");
    const h0 = b.addInput("h0", f32(4, 3));
    const w = b.initializer(hostTensor([2, 3], 5), "w");
    const body = b.child("body");
    const h = body.addFreshInput("h", f32(4, 3));
    const next = body.op("MatMul", [h, body.op("Transpose", [w], { perm: [1, 0] })]);
    body.graph.outputs.push(next);
    const [out] = b.ops("Scan", [h0], { body: attr.graph(body.graph), num_scan_inputs: 0 }, { types: [f32(4, 2)] });
    b.graph.outputs.push(out);

    const result = new FoldInitializerLayout().run(b.graph);

    expect(result.modified).toBe(true);
    expect(body.graph.nodes.map((n) => `${n.op}(${n.inputs.map((v) => v?.name).join(", ")})`)).toEqual(["MatMul(h, w)"]);
    expect(w.tensor?.data).toEqual({ kind: "host", buffer: 5, sourceShape: [2, 3], perm: [1, 0] });
  });

  test("Case 4: refuses when the weight is read both inside and outside the body", () => {
    const b = new GraphBuilder("g");
    const w = b.initializer(bytesTensor([2, 3]), "w");
    const then = b.child("then");
    then.graph.outputs.push(then.op("Transpose", [w], { perm: [1, 0] }));
    const otherwise = b.child("else");
    otherwise.graph.outputs.push(otherwise.op("Constant", [], { value: attr.tensor(bytesTensor([3, 2])) }));
    const [picked] = b.ops("If", [b.addInput("c", { dtype: "bool", shape: [] })], { then_branch: attr.graph(then.graph), else_branch: attr.graph(otherwise.graph) }, { types: [f32(3, 2)] });
    b.graph.outputs.push(picked, b.op("Neg", [w]));

    expect(new FoldInitializerLayout().run(b.graph).modified).toBe(false);
  });
});
