/**
 * Output type (dtype + shape) of each ONNX op the converter emits, from its input types,
 * attributes and the values of constant inputs. The builder applies these as nodes are made, so
 * every intermediate value is typed (value_info) and rule bugs surface where they happen.
 * Semantics follow the ONNX operator spec (https://onnx.ai/onnx/operators/).
 */
import { dtypeFromOnnxCode, type DType } from "../ir/dtype";
import { broadcastShapes, formatShape, mulDims, staticSize, type Dim } from "../ir/dims";
import type { Attr, TensorType } from "../ir/ir";
import { isPermutation } from "../ir/perm";

export interface TypeRuleArgs {
  readonly op: string;
  readonly inputs: readonly (TensorType | null)[];
  readonly attrs: Readonly<Record<string, Attr>>;
  /** Values of a constant input (int64 shapes, axes), or null when not known at conversion time. */
  constant(index: number): readonly number[] | null;
}

export type TypeRule = (args: TypeRuleArgs) => TensorType[];

export class OnnxTypeError extends Error {
  override name = "OnnxTypeError";
}

function input(a: TypeRuleArgs, i: number): TensorType {
  const t = a.inputs[i];
  if (!t) throw new OnnxTypeError(`${a.op}: input ${i} is missing`);
  return t;
}

function intAttr(a: TypeRuleArgs, name: string, dflt: number): number {
  const at = a.attrs[name];
  return at && at.type === "int" ? at.value : dflt;
}

function intsAttr(a: TypeRuleArgs, name: string): readonly number[] | undefined {
  const at = a.attrs[name];
  return at && at.type === "ints" ? at.value : undefined;
}

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

const sameAsInput: TypeRule = (a) => [input(a, 0)];

function broadcastOf(a: TypeRuleArgs, types: TensorType[]): Dim[] {
  let shape: Dim[] = [...types[0].shape];
  for (const t of types.slice(1)) {
    const next = broadcastShapes(shape, t.shape);
    if (!next) {
      throw new OnnxTypeError(`${a.op}: shapes ${types.map((x) => formatShape(x.shape)).join(" and ")} do not broadcast`);
    }
    shape = next;
  }
  return shape;
}

const elementwise = (resultDtype?: DType): TypeRule => (a) => {
  const types = a.inputs.map((_, i) => input(a, i));
  return [{ dtype: resultDtype ?? types[0].dtype, shape: broadcastOf(a, types) }];
};

const where: TypeRule = (a) => {
  const types = [0, 1, 2].map((i) => input(a, i));
  return [{ dtype: types[1].dtype, shape: broadcastOf(a, types) }];
};

const cast: TypeRule = (a) => [{ dtype: dtypeFromOnnxCode(intAttr(a, "to", 1)), shape: input(a, 0).shape }];

const matmul: TypeRule = (a) => {
  const x = input(a, 0).shape;
  const y = input(a, 1).shape;
  if (x.length === 0 || y.length === 0) throw new OnnxTypeError("MatMul: scalar operand");
  const xs = x.length === 1 ? [1, x[0]] : x;
  const ys = y.length === 1 ? [y[0], 1] : y;
  const batch = broadcastShapes(xs.slice(0, -2), ys.slice(0, -2));
  const k1 = xs[xs.length - 1];
  const k2 = ys[ys.length - 2];
  if (!batch || (typeof k1 === "number" && typeof k2 === "number" && k1 !== k2)) {
    throw new OnnxTypeError(`MatMul: ${formatShape(x)} x ${formatShape(y)} do not match`);
  }
  const out: Dim[] = [...batch];
  if (x.length > 1) out.push(xs[xs.length - 2]);
  if (y.length > 1) out.push(ys[ys.length - 1]);
  return [{ dtype: input(a, 0).dtype, shape: out }];
};

const gemm: TypeRule = (a) => {
  const x = input(a, 0).shape;
  const y = input(a, 1).shape;
  const m = intAttr(a, "transA", 0) ? x[1] : x[0];
  const n = intAttr(a, "transB", 0) ? y[0] : y[1];
  return [{ dtype: input(a, 0).dtype, shape: [m, n] }];
};

const transpose: TypeRule = (a) => {
  const x = input(a, 0);
  const perm = intsAttr(a, "perm") ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  // A perm with a gap or a repeat (a corrupted conv dimension_numbers, say) would leave dims undefined.
  if (!isPermutation(perm, x.shape.length)) throw new OnnxTypeError(`Transpose: perm [${perm.join(",")}] is not a permutation of rank ${x.shape.length}`);
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
};

const reshape: TypeRule = (a) => {
  const x = input(a, 0);
  const target = a.constant(1);
  if (!target) {
    const len = input(a, 1).shape[0];
    if (typeof len !== "number") throw new OnnxTypeError("Reshape: shape input of unknown length");
    return [{ dtype: x.dtype, shape: new Array<Dim>(len).fill(null) }];
  }
  const allowzero = intAttr(a, "allowzero", 0);
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowzero ? x.shape[i] : d === -1 ? null : d));
  const hole = target.indexOf(-1);
  if (hole >= 0) {
    const total = staticSize(x.shape);
    const rest = staticSize(out.filter((_, i) => i !== hole));
    if (total !== null && rest !== null) out[hole] = rest === 0 ? 0 : total / rest;
    else out[hole] = symbolicQuotient(x.shape, out.filter((_, i) => i !== hole));
  }
  return [{ dtype: x.dtype, shape: out }];
};

/** The -1 of a Reshape when the symbolic parts of both sides cancel: [B,7,7,64] / [B] -> 3136. */
function symbolicQuotient(whole: readonly Dim[], part: readonly Dim[]): Dim {
  const rest = [...whole];
  let divisor = 1;
  for (const d of part) {
    if (typeof d === "number") divisor *= d;
    else {
      const at = d === null ? -1 : rest.indexOf(d);
      if (at < 0) return null;
      rest.splice(at, 1);
    }
  }
  const remaining = rest.reduce<Dim>((acc, d) => mulDims(acc, d), 1);
  if (typeof remaining === "number") return remaining / divisor;
  return divisor === 1 ? remaining : null;
}

const expand: TypeRule = (a) => {
  const x = input(a, 0);
  const target = a.constant(1);
  if (!target) {
    const len = input(a, 1).shape[0];
    if (typeof len !== "number") throw new OnnxTypeError("Expand: shape input of unknown length");
    const rank = Math.max(len, x.shape.length);
    return [{ dtype: x.dtype, shape: new Array<Dim>(rank).fill(null) }];
  }
  return [{ dtype: x.dtype, shape: broadcastOf(a, [x, { dtype: x.dtype, shape: target }]) }];
};

function axesInput(a: TypeRuleArgs, index: number, attrName = "axes"): readonly number[] | null {
  if (a.inputs.length > index && a.inputs[index]) return a.constant(index);
  return intsAttr(a, attrName) ?? [];
}

const unsqueeze: TypeRule = (a) => {
  const x = input(a, 0);
  const axes = axesInput(a, 1);
  if (!axes) throw new OnnxTypeError("Unsqueeze: axes must be constant");
  const rank = x.shape.length + axes.length;
  const at = new Set(axes.map((ax) => normAxis(ax, rank)));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : x.shape[k++]);
  return [{ dtype: x.dtype, shape: out }];
};

const squeeze: TypeRule = (a) => {
  const x = input(a, 0);
  const axes = axesInput(a, 1);
  if (!axes) throw new OnnxTypeError("Squeeze: axes must be constant");
  const drop = new Set(axes.length ? axes.map((ax) => normAxis(ax, x.shape.length)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)) }];
};

const concat: TypeRule = (a) => {
  const types = a.inputs.map((_, i) => input(a, i));
  const axis = normAxis(intAttr(a, "axis", 0), types[0].shape.length);
  const out = [...types[0].shape];
  out[axis] = types.reduce<Dim>((acc, t) => (typeof acc === "number" && typeof t.shape[axis] === "number" ? acc + (t.shape[axis] as number) : null), 0);
  return [{ dtype: types[0].dtype, shape: out }];
};

/** Spatial output size of a window op (Conv, pools) per the ONNX formula; unknown when symbolic. */
function windowed(a: TypeRuleArgs, x: TensorType, kernel: readonly number[]): Dim[] {
  const n = kernel.length;
  const strides = intsAttr(a, "strides") ?? new Array(n).fill(1);
  const dil = intsAttr(a, "dilations") ?? new Array(n).fill(1);
  const pads = intsAttr(a, "pads") ?? new Array(2 * n).fill(0);
  const ceil = intAttr(a, "ceil_mode", 0);
  const autoPad = a.attrs.auto_pad;
  if (autoPad && autoPad.type === "string" && autoPad.value !== "NOTSET") {
    throw new OnnxTypeError(`${a.op}: auto_pad is not emitted by this converter; use explicit pads`);
  }
  return kernel.map((k, i) => {
    const d = x.shape[2 + i];
    const span = dil[i] * (k - 1) + 1;
    const padded = pads[i] + pads[i + n];
    if (typeof d !== "number") return strides[i] === 1 && padded === span - 1 ? d : null;
    const q = (d + padded - span) / strides[i];
    if (!ceil) return Math.floor(q) + 1;
    // "Sliding windows that would start in the right padded region are ignored" (MaxPool spec).
    const out = Math.ceil(q) + 1;
    return (out - 1) * strides[i] >= d + pads[i] ? out - 1 : out;
  });
}

const conv: TypeRule = (a) => {
  const x = input(a, 0);
  const w = input(a, 1);
  const kernel = intsAttr(a, "kernel_shape") ?? w.shape.slice(2).map((d) => {
    if (typeof d !== "number") throw new OnnxTypeError("Conv: kernel shape must be static");
    return d;
  });
  return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[0], ...windowed(a, x, kernel)] }];
};

const pool: TypeRule = (a) => {
  const x = input(a, 0);
  const kernel = intsAttr(a, "kernel_shape");
  if (!kernel) throw new OnnxTypeError(`${a.op}: kernel_shape is required`);
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...windowed(a, x, kernel)] }];
};

function reducedShape(shape: readonly Dim[], axes: readonly number[] | null, keepdims: boolean, noopEmpty: boolean): Dim[] {
  if (axes === null) throw new OnnxTypeError("reduction axes must be constant");
  if (axes.length === 0 && noopEmpty) return [...shape];
  const set = new Set(axes.length ? axes.map((ax) => normAxis(ax, shape.length)) : shape.map((_, i) => i));
  return keepdims ? shape.map((d, i) => (set.has(i) ? 1 : d)) : shape.filter((_, i) => !set.has(i));
}

const reduce: TypeRule = (a) => {
  const x = input(a, 0);
  const axes = axesInput(a, 1);
  return [{ dtype: x.dtype, shape: reducedShape(x.shape, axes, intAttr(a, "keepdims", 1) === 1, intAttr(a, "noop_with_empty_axes", 0) === 1) }];
};

const argReduce: TypeRule = (a) => {
  const x = input(a, 0);
  const shape = reducedShape(x.shape, [intAttr(a, "axis", 0)], intAttr(a, "keepdims", 1) === 1, false);
  return [{ dtype: "int64", shape }];
};

const shapeOp: TypeRule = (a) => {
  const rank = input(a, 0).shape.length;
  const start = normAxis(intAttr(a, "start", 0), rank);
  const endAttr = a.attrs.end;
  const end = endAttr && endAttr.type === "int" ? normAxis(endAttr.value, rank) : rank;
  return [{ dtype: "int64", shape: [Math.max(0, Math.min(end, rank) - Math.max(start, 0))] }];
};

const gather: TypeRule = (a) => {
  const x = input(a, 0);
  const idx = input(a, 1);
  const axis = normAxis(intAttr(a, "axis", 0), x.shape.length);
  return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
};

const slice: TypeRule = (a) => {
  const x = input(a, 0);
  const starts = a.constant(1);
  const ends = a.constant(2);
  const axes = a.inputs[3] ? a.constant(3) : starts && starts.map((_, i) => i);
  const steps = a.inputs[4] ? a.constant(4) : starts && starts.map(() => 1);
  const out: Dim[] = [...x.shape];
  if (!starts || !ends || !axes || !steps) {
    // Bounds known only at run time: the sliced axes lose their size (every axis, when which
    // ones is unknown too).
    const sliced = axes?.map((ax) => normAxis(ax, x.shape.length));
    return [{ dtype: x.dtype, shape: out.map((d, i) => (sliced && !sliced.includes(i) ? d : null)) }];
  }
  axes.forEach((ax0, i) => {
    const ax = normAxis(ax0, x.shape.length);
    const d = x.shape[ax];
    if (typeof d !== "number") {
      out[ax] = null;
      return;
    }
    const step = steps[i];
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    const norm = (v: number): number => (v < 0 ? v + d : v);
    // ONNX Slice: starts clamp to [0, d] stepping forward, [0, d-1] backward; ends to [0, d] / [-1, d-1].
    const s = step > 0 ? clamp(norm(starts[i]), 0, d) : clamp(norm(starts[i]), 0, d - 1);
    const e = step > 0 ? clamp(norm(ends[i]), 0, d) : clamp(norm(ends[i]), -1, d - 1);
    out[ax] = Math.max(0, Math.ceil((e - s) / step));
  });
  return [{ dtype: x.dtype, shape: out }];
};

/** Pad (opset 11+): pads [begins..., ends...] as input 1, over all axes or those of input 3 (opset 18). */
const pad: TypeRule = (a) => {
  const x = input(a, 0);
  const pads = a.constant(1);
  const axes = a.inputs[3] ? a.constant(3) : x.shape.map((_, i) => i);
  if (!pads || !axes) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  if (pads.length !== 2 * axes.length) throw new OnnxTypeError(`Pad: ${pads.length} pads for ${axes.length} axes`);
  const out: Dim[] = [...x.shape];
  axes.forEach((ax0, i) => {
    const ax = normAxis(ax0, x.shape.length);
    const d = out[ax];
    const added = pads[i] + pads[i + axes.length];
    out[ax] = typeof d === "number" ? d + added : added === 0 ? d : null;
  });
  return [{ dtype: x.dtype, shape: out }];
};

const range: TypeRule = (a) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => a.constant(i));
  const len = start && limit && delta ? Math.max(Math.ceil((limit[0] - start[0]) / delta[0]), 0) : null;
  return [{ dtype: input(a, 0).dtype, shape: [len] }];
};

const tensorAttrType = (a: TypeRuleArgs): TensorType => {
  const v = a.attrs.value;
  if (!v || v.type !== "tensor") throw new OnnxTypeError(`${a.op}: value must be a tensor attribute`);
  return { dtype: v.value.dtype, shape: v.value.shape };
};

const constantOfShape: TypeRule = (a) => {
  const shape = a.constant(0);
  const len = input(a, 0).shape[0];
  const dtype = a.attrs.value ? tensorAttrType(a).dtype : "float32";
  if (shape) return [{ dtype, shape }];
  if (typeof len !== "number") throw new OnnxTypeError("ConstantOfShape: shape of unknown rank");
  return [{ dtype, shape: new Array<Dim>(len).fill(null) }];
};

/** Einsum without ellipsis: output dims come from the inputs' letters. */
const einsum: TypeRule = (a) => {
  const eq = a.attrs.equation;
  if (!eq || eq.type !== "string" || eq.value.includes(".") || !eq.value.includes("->")) throw new OnnxTypeError("Einsum: explicit equation without ellipsis required");
  const [lhs, out] = eq.value.replace(/\s/g, "").split("->");
  const sizes = new Map<string, Dim>();
  lhs.split(",").forEach((term, i) => {
    const t = input(a, i);
    if (term.length !== t.shape.length) throw new OnnxTypeError(`Einsum: term ${term} for rank ${t.shape.length}`);
    [...term].forEach((l, k) => {
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1 || prev === null) sizes.set(l, t.shape[k]);
    });
  });
  return [{ dtype: input(a, 0).dtype, shape: [...out].map((l) => sizes.get(l) ?? null) }];
};

/** Tile: each dim times its repeat (input 1). */
const tile: TypeRule = (a) => {
  const x = input(a, 0);
  const reps = a.constant(1);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (reps ? mulDims(d, reps[i]) : null)) }];
};

/** Split: sizes from input 1 (unknown when computed at run time), else `num_outputs` equal parts. */
const split: TypeRule = (a) => {
  const x = input(a, 0);
  const axis = normAxis(intAttr(a, "axis", 0), x.shape.length);
  const sizes = a.inputs[1] ? a.constant(1) : null;
  const count = a.inputs[1] ? input(a, 1).shape[0] : intAttr(a, "num_outputs", 0);
  const n = sizes ? sizes.length : typeof count === "number" ? count : 0;
  if (n < 1) throw new OnnxTypeError("Split: the number of outputs is unknown (split sizes of unknown length, no num_outputs)");
  const d = x.shape[axis];
  return Array.from({ length: n }, (_, i) => {
    const size = sizes ? sizes[i] : typeof d === "number" && d % n === 0 ? d / n : null;
    return { dtype: x.dtype, shape: x.shape.map((e, k) => (k === axis ? size : e)) };
  });
};

/** GatherND: indices.shape[:-1] + data.shape[batch_dims + k:], k = the indices' last dim. */
const gatherND: TypeRule = (a) => {
  const x = input(a, 0);
  const idx = input(a, 1).shape;
  const k = idx[idx.length - 1];
  if (typeof k !== "number") throw new OnnxTypeError("GatherND: the last dim of indices must be static");
  const b = intAttr(a, "batch_dims", 0);
  return [{ dtype: x.dtype, shape: [...idx.slice(0, -1), ...x.shape.slice(b + k)] }];
};

/** TopK: values and int64 indices, the axis cut to k (input 1). */
const topK: TypeRule = (a) => {
  const x = input(a, 0);
  const axis = normAxis(intAttr(a, "axis", -1), x.shape.length);
  const k = a.constant(1);
  const shape = x.shape.map((d, i) => (i === axis ? (k ? k[0] : null) : d));
  return [{ dtype: x.dtype, shape }, { dtype: "int64", shape }];
};

const UNARY = [
  "Abs", "Neg", "Exp", "Log", "Tanh", "Sigmoid", "Sqrt", "Reciprocal", "Sign", "Erf", "Sin", "Cos",
  "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Floor", "Ceil", "Round",
  "Relu", "Identity", "Softplus", "Elu", "Selu", "LeakyRelu", "Gelu", "HardSigmoid", "Softmax",
  "LogSoftmax", "Not", "BitwiseNot", "CumSum", "CumProd", "Clip", "Mish", "Softsign", "HardSwish",
];
const BINARY = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mod", "BitShift", "And", "Or", "Xor", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "PRelu"];
const COMPARE = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"];

export const TYPE_RULES: ReadonlyMap<string, TypeRule> = new Map<string, TypeRule>([
  ...UNARY.map((op): [string, TypeRule] => [op, sameAsInput]),
  ...BINARY.map((op): [string, TypeRule] => [op, elementwise()]),
  ...COMPARE.map((op): [string, TypeRule] => [op, elementwise("bool")]),
  ["IsNaN", (a) => [{ dtype: "bool", shape: input(a, 0).shape }]],
  ["IsInf", (a) => [{ dtype: "bool", shape: input(a, 0).shape }]],
  ["Where", where],
  ["Cast", cast],
  // BitCast (opset 26) reinterprets the bits: same shape, dtype from `to` as Cast.
  ["BitCast", cast],
  ["MatMul", matmul],
  ["Einsum", einsum],
  ["Gemm", gemm],
  ["Transpose", transpose],
  ["Reshape", reshape],
  ["Expand", expand],
  ["Unsqueeze", unsqueeze],
  ["Squeeze", squeeze],
  ["Concat", concat],
  ["Conv", conv],
  ["AveragePool", pool],
  ["MaxPool", pool],
  ...["ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceMean", "ReduceL2", "ReduceLogSumExp"].map((op): [string, TypeRule] => [op, reduce]),
  ["ArgMax", argReduce],
  ["ArgMin", argReduce],
  ["Shape", shapeOp],
  ["Size", () => [{ dtype: "int64", shape: [] }]],
  ["Gather", gather],
  ["Slice", slice],
  ["Pad", pad],
  ["Range", range],
  ["Constant", (a) => [tensorAttrType(a)]],
  ["ConstantOfShape", constantOfShape],
  ["Tile", tile],
  ["Split", split],
  ["GatherND", gatherND],
  ["GatherElements", (a) => [{ dtype: input(a, 0).dtype, shape: input(a, 1).shape }]],
  ["ScatterND", sameAsInput],
  ["ScatterElements", sameAsInput],
  ["TopK", topK],
]);
