/**
 * ONNX ops that onnxruntime has no kernel for at some dtype (measured with onnxruntime 1.32 CPU
 * and onnxruntime-web 1.30: in float64 there is no Tan, Sinh, Cosh, Asin, Acos, Atan, Asinh,
 * Acosh, Atanh, Erf, Conv or AveragePool), and how to emit each with ops it does run, in the same
 * dtype, so a float64 program stays float64 end to end. `ctx.op` consults this table, so every
 * rule gets the replacement without knowing about it.
 *
 * The replacements are exact formulas, accurate to a few ulps (tests: kernel-gaps.test.ts and the
 * float64 twins of the plugin cases):
 *  - tan = sin / cos; cosh = (e^x + e^-x) / 2; sinh from tanh(x/2) near 0, else from exponentials;
 *  - asinh, acosh, atanh through log1p (Kahan: log1p(u) = log(w) * u / (w - 1) with w = 1 + u);
 *  - atan: |x| > 1 folds to pi/2 - atan(1/|x|), three half-angle steps
 *    (atan t = 2 atan(t / (1 + sqrt(1 + t^2)))) bring the argument under tan(pi/32), where nine
 *    terms of the Taylor series are exact to double precision; asin and acos through atan;
 *  - erf: for |x| <= 3 the series 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!! (all terms
 *    positive: no cancellation), beyond that 1 - erfc with erfc's continued fraction;
 *  - Conv as im2col: the padded input's kernel-offset slices stacked and multiplied (MatMul) with
 *    the kernel, per group; AveragePool as the sum of the same slices over the window count.
 */
import type { AttrInput, GraphBuilder } from "../ir/builder";
import type { DType } from "../ir/dtype";
import type { Attr, Value } from "../ir/ir";
import { TYPE_RULES } from "../ops/type-rules";
import { Real } from "./real-math";

type Attrs = Readonly<Record<string, AttrInput>>;
type Emit = (b: GraphBuilder, inputs: readonly (Value | null)[], attrs: Attrs) => Value;

interface KernelGap {
  readonly op: string;
  readonly dtypes: readonly DType[];
  readonly emit: Emit;
}

// Slice clamps ends to the dim; 2^53 - 1 is the largest end a JS number writes exactly as int64.
const END = Number.MAX_SAFE_INTEGER;

function ints(attrs: Attrs, name: string, fallback: readonly number[]): readonly number[] {
  const a = attrs[name];
  if (a === undefined) return fallback;
  if (Array.isArray(a)) return a as readonly number[];
  const at = a as Attr;
  return at.type === "ints" ? at.value : fallback;
}

function int(attrs: Attrs, name: string, fallback: number): number {
  const a = attrs[name];
  if (typeof a === "number") return a;
  const at = a as Attr | undefined;
  return at && at.type === "int" ? at.value : fallback;
}

const unary = (op: string, f: (r: Real, x: Value) => Value): KernelGap => ({
  op,
  dtypes: ["float64"],
  emit: (b, [x]) => f(new Real(b, x!.type.dtype), x!),
});

const LN2 = Math.LN2;
const HUGE = 1e150; // x * x overflows float64 beyond ~1.3e154: large arguments take log(2x).

/**
 * The kernel-offset slices of a (padded) NC... input: one [N, C, out...] value per offset of the
 * window, in row-major order of the offsets (the layout of a flattened kernel).
 */
function windowSlices(b: GraphBuilder, x: Value, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): Value[] {
  const axes = kernel.map((_, i) => i + 2);
  let offsets: number[][] = [[]];
  for (const k of kernel) offsets = offsets.flatMap((o) => Array.from({ length: k }, (_, j) => [...o, j]));
  return offsets.map((o) => {
    // Starting at k*d and stopping (K-1-k)*d before the end leaves exactly ONNX's output count.
    const starts = o.map((k, i) => k * dilations[i]);
    const ends = o.map((k, i) => ((kernel[i] - 1 - k) * dilations[i] === 0 ? END : -(kernel[i] - 1 - k) * dilations[i]));
    return b.op("Slice", [x, b.int64s(starts), b.int64s(ends), b.int64s(axes), b.int64s([...strides])]);
  });
}

function padSpatial(b: GraphBuilder, x: Value, pads: readonly number[], fill: number): Value {
  if (pads.every((p) => p === 0)) return x;
  const n = pads.length / 2;
  return b.op("Pad", [x, b.int64s([0, 0, ...pads.slice(0, n), 0, 0, ...pads.slice(n)]), b.scalar(fill, x.type.dtype)]);
}

const conv: Emit = (b, [x, w, bias], attrs) => {
  const kernel = ints(attrs, "kernel_shape", []);
  const n = kernel.length;
  const strides = ints(attrs, "strides", new Array(n).fill(1));
  const dilations = ints(attrs, "dilations", new Array(n).fill(1));
  const group = int(attrs, "group", 1);
  const [o, cg] = [w!.type.shape[0], w!.type.shape[1]];
  if (typeof o !== "number" || typeof cg !== "number") throw new Error("Conv: kernel shape must be static");
  const size = kernel.reduce((p, k) => p * k, 1);
  const slices = windowSlices(b, padSpatial(b, x!, ints(attrs, "pads", new Array(2 * n).fill(0)), 0), kernel, strides, dilations);
  // [N, C, K, out...] -> [N, group, C/group * K, P]; the kernel [O, C/group, k...] -> [group, O/group, C/group * K].
  const stacked = b.op("Concat", slices.map((s) => b.op("Unsqueeze", [s, b.int64s([2])])), { axis: 2 });
  const cols = b.op("Reshape", [stacked, b.int64s([0, group, cg * size, -1])]);
  const kernelRows = b.op("Reshape", [w!, b.int64s([group, o / group, cg * size])]);
  const product = b.op("MatMul", [kernelRows, cols]);
  const outShape = b.op("Concat", [b.op("Shape", [slices[0]], { start: 0, end: 1 }), b.int64s([o]), b.op("Shape", [slices[0]], { start: 2 })], { axis: 0 });
  const y = b.op("Reshape", [product, outShape]);
  return bias ? b.op("Add", [y, b.op("Reshape", [bias, b.int64s([o, ...new Array(n).fill(1)])])]) : y;
};

const averagePool: Emit = (b, [x], attrs) => {
  const kernel = ints(attrs, "kernel_shape", []);
  const n = kernel.length;
  if (int(attrs, "ceil_mode", 0) !== 0) throw new Error("AveragePool: ceil_mode has no float64 replacement");
  const strides = ints(attrs, "strides", new Array(n).fill(1));
  const dilations = ints(attrs, "dilations", new Array(n).fill(1));
  const pads = ints(attrs, "pads", new Array(2 * n).fill(0));
  const windowSum = (v: Value): Value => windowSlices(b, padSpatial(b, v, pads, 0), kernel, strides, dilations).reduce((acc, s) => b.op("Add", [acc, s]));
  const sum = windowSum(x!);
  if (int(attrs, "count_include_pad", 0) === 1 || pads.every((p) => p === 0)) {
    return b.op("Div", [sum, b.scalar(kernel.reduce((p, k) => p * k, 1), x!.type.dtype)]);
  }
  // Padding does not count: divide by how many input elements each window covers.
  const ones = b.op("Expand", [b.scalar(1, x!.type.dtype), b.op("Shape", [x!])]);
  return b.op("Div", [sum, windowSum(ones)]);
};

export const KERNEL_GAPS: readonly KernelGap[] = [
  unary("Tan", (r, x) => r.div(r.un("Sin", x), r.un("Cos", x))),
  unary("Cosh", (r, x) => r.mul(r.c(0.5), r.add(r.un("Exp", x), r.un("Exp", r.un("Neg", x))))),
  // sinh x = 2 tanh(x/2) / (1 - tanh^2(x/2)) is exact near 0, where (e^x - e^-x) / 2 cancels.
  unary("Sinh", (r, x) => {
    const t = r.un("Tanh", r.mul(r.c(0.5), x));
    const near0 = r.div(r.mul(r.c(2), t), r.sub(r.c(1), r.mul(t, t)));
    const far = r.mul(r.c(0.5), r.sub(r.un("Exp", x), r.un("Exp", r.un("Neg", x))));
    return r.where(r.lt(r.un("Abs", x), r.c(1)), near0, far);
  }),
  // asinh |x| = log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), odd.
  unary("Asinh", (r, x) => {
    const a = r.un("Abs", x);
    const small = r.log1p(r.add(a, r.div(r.mul(a, a), r.add(r.c(1), r.un("Sqrt", r.add(r.c(1), r.mul(a, a)))))));
    const big = r.add(r.un("Log", a), r.c(LN2));
    return r.mul(r.un("Sign", x), r.where(r.gt(a, r.c(HUGE)), big, small));
  }),
  // acosh x = log1p((x - 1) + sqrt((x - 1)(x + 1))).
  unary("Acosh", (r, x) => {
    const m = r.sub(x, r.c(1));
    const small = r.log1p(r.add(m, r.un("Sqrt", r.mul(m, r.add(x, r.c(1))))));
    return r.where(r.gt(x, r.c(HUGE)), r.add(r.un("Log", x), r.c(LN2)), small);
  }),
  // atanh x = log1p(2x / (1 - x)) / 2; +-1 give +-inf.
  unary("Atanh", (r, x) => {
    const v = r.mul(r.c(0.5), r.log1p(r.div(r.mul(r.c(2), x), r.sub(r.c(1), x))));
    return r.where(r.eq(r.un("Abs", x), r.c(1)), r.div(x, r.c(0)), v);
  }),
  unary("Atan", (r, x) => r.atan(x)),
  // asin x = atan(x / sqrt((1 - x)(1 + x))); acos x = 2 atan(sqrt((1 - x) / (1 + x))).
  unary("Asin", (r, x) => r.atan(r.div(x, r.un("Sqrt", r.mul(r.sub(r.c(1), x), r.add(r.c(1), x)))))),
  unary("Acos", (r, x) => r.mul(r.c(2), r.atan(r.un("Sqrt", r.div(r.sub(r.c(1), x), r.add(r.c(1), x)))))),
  unary("Erf", (r, x) => r.erf(x)),
  { op: "Conv", dtypes: ["float64"], emit: conv },
  { op: "AveragePool", dtypes: ["float64"], emit: averagePool },
  // Emitted only by fusions, which hasKernel keeps from fusing in float64.
  { op: "Gelu", dtypes: ["float64"], emit: () => { throw new Error("Gelu has no float64 kernel"); } },
];

const BY_OP = new Map(KERNEL_GAPS.map((g) => [g.op, g]));

/** Whether onnxruntime runs `op` on `dtype` (its first input's), as far as this table knows. */
export function hasKernel(op: string, dtype: DType): boolean {
  return !BY_OP.get(op)?.dtypes.includes(dtype);
}

/**
 * Emits `op` through `b`, or its replacement when onnxruntime has no kernel for the dtype of its
 * first input. The replacement's result carries the type the op itself would have.
 */
export function emitWithKernel(b: GraphBuilder, op: string, inputs: readonly (Value | null)[], attrs: Attrs): Value | null {
  const dtype = inputs[0]?.type.dtype;
  const gap = dtype ? BY_OP.get(op) : undefined;
  if (!gap || !gap.dtypes.includes(dtype!)) return null;
  const result = gap.emit(b, inputs, attrs);
  const rule = TYPE_RULES.get(op);
  if (rule) {
    const attributes = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, Array.isArray(v) ? { type: "ints", value: v } : typeof v === "number" ? { type: "int", value: v } : typeof v === "string" ? { type: "string", value: v } : v])) as Record<string, Attr>;
    result.type = rule({ op, inputs: inputs.map((v) => v?.type ?? null), attrs: attributes, constant: (i) => b.constantValues(inputs[i] ?? null) })[0];
  }
  return result;
}
