import { runPython } from "../../testing/onnx-runners";
import type { Dim } from "../ir/dims";
import type { DType } from "../ir/dtype";
import { attr, type Attr, type TensorType } from "../ir/ir";
import { OnnxTypeError, TYPE_RULES } from "./type-rules";

const f32 = (...shape: Dim[]): TensorType => ({ dtype: "float32", shape });
const i64 = (...shape: Dim[]): TensorType => ({ dtype: "int64", shape });

/** Applies the type rule of `op`; `constants` are the values of constant inputs by index. */
function infer(op: string, inputs: (TensorType | null)[], attrs: Record<string, Attr> = {}, constants: Record<number, number[]> = {}): TensorType[] {
  const rule = TYPE_RULES.get(op);
  if (!rule) throw new Error(`no rule for ${op}`);
  return rule({ op, inputs, attrs, constant: (i) => constants[i] ?? null });
}

const shapeOf = (...args: Parameters<typeof infer>): Dim[] => [...infer(...args)[0].shape];

describe("elementwise", () => {
  test("binary ops broadcast numpy-style and keep the dtype", () => {
    expect(infer("Add", [f32(2, 3), f32(3)])).toEqual([f32(2, 3)]);
    expect(infer("Mul", [f32("B", 1, 4), f32(5, 1)])).toEqual([f32("B", 5, 4)]);
  });

  test("comparisons give bool", () => {
    expect(infer("Less", [f32(2, 3), f32()])).toEqual([{ dtype: "bool", shape: [2, 3] }]);
  });

  test("shapes that do not broadcast are an OnnxTypeError naming them", () => {
    expect(() => infer("Add", [f32(2, 3), f32(4)])).toThrow(OnnxTypeError);
    expect(() => infer("Add", [f32(2, 3), f32(4)])).toThrow("Add: shapes [2,3] and [4] do not broadcast");
  });

  test("a missing input is named", () => {
    expect(() => infer("Sub", [f32(2), null])).toThrow("Sub: input 1 is missing");
  });

  test("Where takes the dtype of X and broadcasts all three", () => {
    expect(infer("Where", [{ dtype: "bool", shape: [3, 1] }, f32(1, 4), f32()])).toEqual([f32(3, 4)]);
  });

  test("Cast takes the dtype from `to` (an ONNX type code)", () => {
    expect(infer("Cast", [f32("B", 2)], { to: attr.int(7) })).toEqual([i64("B", 2)]);
    expect(infer("Cast", [i64(3)], { to: attr.int(10) })).toEqual([{ dtype: "float16", shape: [3] }]);
  });
});

describe("MatMul", () => {
  test.each<[Dim[], Dim[], Dim[]]>([
    [[2, 3, 4], [4, 5], [2, 3, 5]],
    [[1, 3, 4], [7, 4, 5], [7, 3, 5]], // batch dims broadcast
    [[4], [4, 5], [5]], // 1-D lhs: prepended 1 is removed again
    [[2, 3, 4], [4], [2, 3]], // 1-D rhs: appended 1 is removed again
    [[4], [4], []],
    [["B", 3, 4], [4, 5], ["B", 3, 5]],
    [[2, 3, "K"], [4, 5], [2, 3, 5]], // a symbolic contraction is not checked
  ])("%j x %j -> %j", (x, y, out) => {
    expect(shapeOf("MatMul", [f32(...x), f32(...y)])).toEqual(out);
  });

  test.each<[Dim[], Dim[]]>([
    [[3, 4], [5, 6]],
    [[2, 3, 4], [3, 4, 5]],
    [[], [3]],
  ])("%j x %j is an error", (x, y) => {
    expect(() => infer("MatMul", [f32(...x), f32(...y)])).toThrow(OnnxTypeError);
  });
});

test("Gemm: M from A (or A^T), N from B (or B^T)", () => {
  expect(shapeOf("Gemm", [f32(3, 4), f32(4, 5)])).toEqual([3, 5]);
  expect(shapeOf("Gemm", [f32(4, 3), f32(4, 5)], { transA: attr.int(1) })).toEqual([3, 5]);
  expect(shapeOf("Gemm", [f32(3, 4), f32(5, 4), f32(5)], { transB: attr.int(1) })).toEqual([3, 5]);
});

describe("Transpose", () => {
  test("perm picks input dims; no perm reverses them", () => {
    expect(shapeOf("Transpose", [f32(2, 3, 4)], { perm: attr.ints([2, 0, 1]) })).toEqual([4, 2, 3]);
    expect(shapeOf("Transpose", [f32("B", 3, 4)])).toEqual([4, 3, "B"]);
  });

  test("a perm of the wrong length is an error", () => {
    expect(() => infer("Transpose", [f32(2, 3)], { perm: attr.ints([0, 1, 2]) })).toThrow(OnnxTypeError);
  });
});

describe("Reshape", () => {
  test("0 copies the input dim, -1 is what is left", () => {
    expect(shapeOf("Reshape", [f32(2, 3, 4), i64(2)], {}, { 1: [0, -1] })).toEqual([2, 12]);
    expect(shapeOf("Reshape", [f32(2, 3, 4), i64(2)], {}, { 1: [-1, 6] })).toEqual([4, 6]);
    expect(shapeOf("Reshape", [f32(2, 0, 4), i64(2)], {}, { 1: [-1, 4] })).toEqual([0, 4]);
  });

  test("allowzero=1 makes 0 a size", () => {
    expect(shapeOf("Reshape", [f32(0, 3), i64(2)], { allowzero: attr.int(1) }, { 1: [0, 3] })).toEqual([0, 3]);
  });

  test("with a symbolic input, -1 is found when the symbols cancel", () => {
    // flatten after a conv: [B,7,7,64] -> [B, -1]
    expect(shapeOf("Reshape", [f32("B", 7, 7, 64), i64(2)], {}, { 1: [0, -1] })).toEqual(["B", 3136]);
    expect(shapeOf("Reshape", [f32("B", 7, 7, 64), i64(3)], {}, { 1: [0, 7, -1] })).toEqual(["B", 7, 448]);
    // [B,12] -> [-1, 3]: the -1 is 4*B, which is not a dim this rule can name
    expect(shapeOf("Reshape", [f32("B", 12), i64(2)], {}, { 1: [-1, 3] })).toEqual([null, 3]);
  });

  test("a shape computed at run time gives unknown dims of the shape's length", () => {
    expect(shapeOf("Reshape", [f32("B", 12), i64(3)])).toEqual([null, null, null]);
    expect(() => infer("Reshape", [f32(2), i64(null)])).toThrow(OnnxTypeError);
  });
});

describe("Expand", () => {
  test("broadcasts the input against the shape", () => {
    expect(shapeOf("Expand", [f32(3, 1), i64(3)], {}, { 1: [2, 1, 4] })).toEqual([2, 3, 4]);
    expect(shapeOf("Expand", [f32("B", 1), i64(2)], {}, { 1: [1, 5] })).toEqual(["B", 5]);
  });

  test("a run-time shape gives unknown dims of the larger rank", () => {
    expect(shapeOf("Expand", [f32(3, 1), i64(3)])).toEqual([null, null, null]);
  });

  test("a shape the input does not broadcast to is an error", () => {
    expect(() => infer("Expand", [f32(3), i64(1)], {}, { 1: [4] })).toThrow(OnnxTypeError);
  });
});

describe("Unsqueeze / Squeeze", () => {
  test("Unsqueeze inserts 1s at the (output) axes, from an input or the opset<13 attribute", () => {
    expect(shapeOf("Unsqueeze", [f32(3, 4), i64(2)], {}, { 1: [0, -1] })).toEqual([1, 3, 4, 1]);
    expect(shapeOf("Unsqueeze", [f32(3, 4), i64(1)], {}, { 1: [1] })).toEqual([3, 1, 4]);
    expect(shapeOf("Unsqueeze", [f32("B")], { axes: attr.ints([0]) })).toEqual([1, "B"]);
  });

  test("Squeeze drops the axes; without axes, every 1", () => {
    expect(shapeOf("Squeeze", [f32(1, 3, 1, 4), i64(1)], {}, { 1: [0] })).toEqual([3, 1, 4]);
    expect(shapeOf("Squeeze", [f32(1, 3, 1, 4), i64(1)], {}, { 1: [-2] })).toEqual([1, 3, 4]);
    expect(shapeOf("Squeeze", [f32(1, 3, 1, 4)])).toEqual([3, 4]);
  });

  test("run-time axes are an error", () => {
    expect(() => infer("Unsqueeze", [f32(3), i64(1)])).toThrow(/axes must be constant/);
    expect(() => infer("Squeeze", [f32(1, 3), i64(1)])).toThrow(/axes must be constant/);
  });
});

test("Concat sums the axis, unknown when any part is symbolic", () => {
  expect(shapeOf("Concat", [f32(2, 3), f32(2, 5)], { axis: attr.int(1) })).toEqual([2, 8]);
  expect(shapeOf("Concat", [f32(2, 3), f32(2, 5), f32(2, 1)], { axis: attr.int(-1) })).toEqual([2, 9]);
  expect(shapeOf("Concat", [f32("B", 3), f32(2, 3)], { axis: attr.int(0) })).toEqual([null, 3]);
  expect(shapeOf("Concat", [i64(1), i64(1), i64(2)])).toEqual([4]);
});

describe("Conv and pools (ONNX: floor((d + pads - dil*(k-1) - 1) / stride) + 1)", () => {
  const conv = (x: Dim[], w: number[], a: Record<string, number[]> = {}): Dim[] =>
    shapeOf("Conv", [f32(...x), f32(...w)], Object.fromEntries(Object.entries(a).map(([k, v]) => [k, attr.ints(v)])));

  test("Conv: batch, out channels from W, spatial sizes from pads/strides/dilations", () => {
    expect(conv([1, 3, 32, 32], [8, 3, 3, 3])).toEqual([1, 8, 30, 30]);
    expect(conv([1, 3, 32, 32], [8, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] })).toEqual([1, 8, 16, 16]); // (32+2-3)/2 = 15.5
    expect(conv([1, 3, 32, 32], [8, 3, 3, 3], { dilations: [2, 2] })).toEqual([1, 8, 28, 28]); // span 5
    expect(conv([1, 3, 32, 32], [8, 3, 3, 3], { pads: [0, 1, 2, 3] })).toEqual([1, 8, 32, 34]); // pads are [begins..., ends...]
    expect(conv([2, 3, 10], [4, 3, 5], { strides: [3] })).toEqual([2, 4, 2]);
  });

  test("Conv: a symbolic spatial dim survives only 'same' padding at stride 1", () => {
    expect(conv(["B", 3, "H", 32], [8, 3, 3, 3], { pads: [1, 1, 1, 1] })).toEqual(["B", 8, "H", 32]);
    expect(conv(["B", 3, "H", 32], [8, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] })).toEqual(["B", 8, null, 16]);
  });

  const pool = (op: string, x: number[], a: Record<string, number[] | number>): Dim[] =>
    shapeOf(op, [f32(...x)], Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === "number" ? attr.int(v) : attr.ints(v)])));

  test("pools keep N and C", () => {
    expect(pool("MaxPool", [1, 16, 5, 5], { kernel_shape: [2, 2], strides: [2, 2] })).toEqual([1, 16, 2, 2]);
    expect(pool("AveragePool", [1, 16, 5, 5], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })).toEqual([1, 16, 5, 5]);
  });

  test("ceil_mode rounds up, but a window may not start in the right padding", () => {
    // 5 wide, k 2, s 2: 1.5 windows past the first -> 3 with ceil_mode (the last window starts at 4 < 5)
    expect(pool("MaxPool", [1, 1, 5, 5], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })).toEqual([1, 1, 3, 3]);
    // 4 wide + 1 right pad: ceil gives 3, but window 3 would start at 4, inside the padding
    // (MaxPool spec: "Sliding windows that would start in the right padded region are ignored").
    expect(pool("MaxPool", [1, 1, 4, 4], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 })).toEqual([1, 1, 2, 2]);
    expect(pool("AveragePool", [1, 1, 4, 4], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 })).toEqual([1, 1, 2, 2]);
  });

  test("a pool without kernel_shape, or with auto_pad, is an error", () => {
    expect(() => infer("MaxPool", [f32(1, 1, 4, 4)])).toThrow(/kernel_shape is required/);
    expect(() => infer("MaxPool", [f32(1, 1, 4, 4)], { kernel_shape: attr.ints([2, 2]), auto_pad: attr.string("SAME_UPPER") })).toThrow(/auto_pad/);
  });
});

describe("reductions", () => {
  const x = f32(2, 3, 4);

  test("axes from the input (opset 18) or the attribute, keepdims by default", () => {
    expect(shapeOf("ReduceSum", [x, i64(1)], {}, { 1: [1] })).toEqual([2, 1, 4]);
    expect(shapeOf("ReduceMean", [x, i64(2)], { keepdims: attr.int(0) }, { 1: [0, -1] })).toEqual([3]);
    expect(shapeOf("ReduceMax", [x], { axes: attr.ints([1]), keepdims: attr.int(0) })).toEqual([2, 4]);
  });

  test("no axes reduces everything, unless noop_with_empty_axes", () => {
    expect(shapeOf("ReduceSum", [x])).toEqual([1, 1, 1]);
    expect(shapeOf("ReduceSum", [x], { keepdims: attr.int(0) })).toEqual([]);
    expect(shapeOf("ReduceSum", [x], { noop_with_empty_axes: attr.int(1) })).toEqual([2, 3, 4]);
  });

  test("run-time axes are an error", () => {
    expect(() => infer("ReduceSum", [x, i64(1)])).toThrow(/axes must be constant/);
  });

  test("ArgMax / ArgMin give int64 over one axis", () => {
    expect(infer("ArgMax", [x], { axis: attr.int(1) })).toEqual([i64(2, 1, 4)]);
    expect(infer("ArgMin", [x], { axis: attr.int(-1), keepdims: attr.int(0) })).toEqual([i64(2, 3)]);
    expect(infer("ArgMax", [x], { keepdims: attr.int(0) })).toEqual([i64(3, 4)]);
  });
});

test("Shape: the length of [start, end) clamped to the rank", () => {
  const x = f32("B", 3, 4, 5);
  expect(infer("Shape", [x])).toEqual([i64(4)]);
  expect(shapeOf("Shape", [x], { start: attr.int(1) })).toEqual([3]);
  expect(shapeOf("Shape", [x], { start: attr.int(0), end: attr.int(1) })).toEqual([1]);
  expect(shapeOf("Shape", [x], { start: attr.int(-1) })).toEqual([1]);
  expect(shapeOf("Shape", [x], { end: attr.int(-1) })).toEqual([3]);
  expect(shapeOf("Shape", [x], { start: attr.int(10) })).toEqual([0]);
  expect(shapeOf("Shape", [x], { start: attr.int(3), end: attr.int(1) })).toEqual([0]);
});

test("Gather: index dims replace the axis", () => {
  expect(shapeOf("Gather", [f32(5, 6, 7), i64(2, 3)], { axis: attr.int(1) })).toEqual([5, 2, 3, 7]);
  expect(shapeOf("Gather", [f32(5, 6, 7), i64()])).toEqual([6, 7]);
  expect(shapeOf("Gather", [f32(5, 6, 7), i64(4)], { axis: attr.int(-1) })).toEqual([5, 6, 4]);
});

describe("Slice", () => {
  const slice = (shape: Dim[], starts: number[], ends: number[], axes?: number[], steps?: number[]): Dim[] => {
    const inputs = [f32(...shape), i64(starts.length), i64(ends.length), axes ? i64(axes.length) : null, steps ? i64(steps.length) : null];
    const constants: Record<number, number[]> = { 1: starts, 2: ends };
    if (axes) constants[3] = axes;
    if (steps) constants[4] = steps;
    return shapeOf("Slice", inputs, {}, constants);
  };
  const BIG = Number.MAX_SAFE_INTEGER;

  test("forward: clamped to the dim, stepping", () => {
    expect(slice([10], [2], [8])).toEqual([6]);
    expect(slice([10], [2], [8], [0], [3])).toEqual([2]); // 2, 5
    expect(slice([10], [-3], [BIG])).toEqual([3]);
    expect(slice([4, 10, 3], [1], [-1], [1])).toEqual([4, 8, 3]);
    expect(slice([4, 10, 3], [1], [2], [-1])).toEqual([4, 10, 1]);
  });

  test("backward: starts clamp to [0, d-1], ends to [-1, d-1]", () => {
    expect(slice([10], [-1], [-BIG], [0], [-1])).toEqual([10]); // x[::-1]
    expect(slice([10], [8], [2], [0], [-2])).toEqual([3]); // 8, 6, 4
    expect(slice([5], [100], [-200], [0], [-1])).toEqual([5]);
    // Regression: a start before the beginning clamps to 0 (one element), not to -1 (none).
    expect(slice([5], [-100], [-200], [0], [-1])).toEqual([1]);
    expect(slice([5], [2], [3], [0], [-1])).toEqual([0]);
  });

  test("symbolic or run-time bounds give unknown sizes on the sliced axes only", () => {
    expect(slice(["B", 10], [1], [BIG], [0])).toEqual([null, 10]);
    expect(shapeOf("Slice", [f32(4, 10), i64(1), i64(1), i64(1)], {}, { 3: [1] })).toEqual([4, null]);
    // Regression: negative axes, and unknown axes (then any dim may be sliced).
    expect(shapeOf("Slice", [f32(4, 10), i64(1), i64(1), i64(1)], {}, { 3: [-1] })).toEqual([4, null]);
    expect(shapeOf("Slice", [f32(4, 10), i64(1), i64(1)])).toEqual([null, null]);
  });
});

test("Range: ceil((limit - start) / delta), at least 0; dtype of start", () => {
  const range = (s: number, l: number, d: number): TensorType[] => infer("Range", [i64(), i64(), i64()], {}, { 0: [s], 1: [l], 2: [d] });
  expect(range(0, 10, 3)).toEqual([i64(4)]);
  expect(range(10, 0, -3)).toEqual([i64(4)]);
  expect(range(5, 5, 1)).toEqual([i64(0)]);
  expect(range(5, 0, 1)).toEqual([i64(0)]);
  expect(infer("Range", [f32(), f32(), f32()])).toEqual([f32(null)]);
});

describe("Einsum", () => {
  const einsum = (eq: string, ...inputs: TensorType[]): Dim[] => shapeOf("Einsum", inputs, { equation: attr.string(eq) });

  test("output dims come from the inputs' letters", () => {
    expect(einsum("bij,bjk->bik", f32(2, 3, 4), f32(2, 4, 5))).toEqual([2, 3, 5]);
    expect(einsum("ij->ji", f32("B", 3))).toEqual([3, "B"]);
    expect(einsum("i,i->", f32(4), f32(4))).toEqual([]);
    expect(einsum("ij, ij -> ij", f32(1, 3), f32(4, 3))).toEqual([4, 3]); // a 1 broadcasts
  });

  test("ellipsis, implicit output and rank mismatches are errors", () => {
    expect(() => einsum("...ij->...ji", f32(2, 3))).toThrow(OnnxTypeError);
    expect(() => einsum("ij", f32(2, 3))).toThrow(OnnxTypeError);
    expect(() => einsum("ijk->k", f32(2, 3))).toThrow(/term ijk for rank 2/);
  });
});

test("Constant and ConstantOfShape", () => {
  const value = { dtype: "int64" as DType, shape: [2], data: { kind: "bytes" as const, bytes: new Uint8Array(16) } };
  expect(infer("Constant", [], { value: attr.tensor(value) })).toEqual([i64(2)]);
  expect(infer("ConstantOfShape", [i64(2)], {}, { 0: [2, 3] })).toEqual([f32(2, 3)]);
  expect(infer("ConstantOfShape", [i64(3)], { value: attr.tensor({ ...value, shape: [1] }) })).toEqual([i64(null, null, null)]);
});

/**
 * The rules above agree with hand arithmetic; this asks onnxruntime for the edge cases, so
 * that a rule that misreads the spec fails here too.
 */
test("edge cases agree with the output shapes onnxruntime computes", () => {
  type Case = { op: string; x: number[]; attrs: Record<string, number | number[]>; ints?: number[][] };
  const cases: Case[] = [
    { op: "MaxPool", x: [1, 1, 5, 5], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
    { op: "MaxPool", x: [1, 1, 4, 4], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 } },
    { op: "AveragePool", x: [1, 1, 7, 9], attrs: { kernel_shape: [3, 2], strides: [3, 3], pads: [1, 0, 1, 1], ceil_mode: 1 } },
    { op: "MaxPool", x: [1, 1, 9, 10], attrs: { kernel_shape: [3, 3], strides: [2, 3], dilations: [2, 1], pads: [1, 1, 2, 2] } },
    { op: "Slice", x: [5], attrs: {}, ints: [[-100], [-200], [0], [-1]] },
    { op: "Slice", x: [10], attrs: {}, ints: [[8], [2], [0], [-2]] },
    { op: "Slice", x: [4, 10, 3], attrs: {}, ints: [[-1, 7], [-9, 100], [1, 0], [-3, 1]] },
    { op: "Reshape", x: [2, 0, 4], attrs: {}, ints: [[-1, 4]] },
  ];
  const ours = cases.map((c) => {
    const ints = c.ints ?? [];
    const attrs = Object.fromEntries(Object.entries(c.attrs).map(([k, v]) => [k, typeof v === "number" ? attr.int(v) : attr.ints(v)]));
    return shapeOf(c.op, [f32(...c.x), ...ints.map((v) => i64(v.length))], attrs, Object.fromEntries(ints.map((v, i) => [i + 1, v])));
  });
  const theirs = runPython(
    `
import numpy as np, onnxruntime as ort
from onnx import helper, TensorProto
shapes = []
for c in INPUT:
    names = ["x"] + [f"c{i}" for i in range(len(c.get("ints", [])))]
    inits = [helper.make_tensor(n, TensorProto.INT64, [len(v)], v) for n, v in zip(names[1:], c.get("ints", []))]
    node = helper.make_node(c["op"], names, ["y"], **c["attrs"])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, c["x"])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    shapes.append(list(session.run(None, {"x": np.zeros(c["x"], np.float32)})[0].shape))
emit(shapes)
`,
    cases,
  );
  expect(ours).toEqual(theirs);
});

describe("Transpose perm", () => {
  // Regression (capture fuzzing): a conv out_spec of 3 entries for rank 4 gave a sparse inverse
  // perm [0,2,,1] whose hole became an undefined dim and, at serialization, an Int64Error.
  it("must be a permutation of the input's rank", () => {
    const x = f32(1, 2, 3, 4);
    const sparse = [0, 2, 1];
    sparse[3] = 1;
    delete (sparse as (number | undefined)[])[2];
    for (const perm of [sparse, [0, 1, 1, 2], [0, 1, 2, 4], [0, 1, 2]]) {
      expect(() => infer("Transpose", [x], { perm: attr.ints(perm) })).toThrow(OnnxTypeError);
      expect(() => infer("Transpose", [x], { perm: attr.ints(perm) })).toThrow(/is not a permutation of rank 4/);
    }
    expect(infer("Transpose", [x], { perm: attr.ints([0, 3, 1, 2]) })).toEqual([f32(1, 4, 2, 3)]);
  });
});
