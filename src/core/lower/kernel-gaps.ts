/**
 * The one place that decides what to do when onnxruntime cannot run an ONNX op at a dtype.
 * The facts come from a measurement (kernel-table.generated.ts, docs/kernels.md: onnxruntime 1.32
 * CPU and onnxruntime-web 1.30, op by op and dtype by dtype); `ctx.op` asks `emitWithKernel` for
 * every op a rule emits, so rules just emit the op they mean. For a gap it either
 *  1. rewrites the op exactly in the same dtype (kernel-rewrites.ts: float64 trig, Erf, Conv,
 *     AveragePool), so float64 stays float64; or
 *  2. computes in a wider dtype: the op's T inputs (per its ONNX schema) cast up, its T outputs
 *     cast back. Which widening is exact depends on what the op does with the values, so each op
 *     names one of the classes below.
 * A gap neither covers is left as it is (the model then fails in that runtime); the test
 * (kernel-gaps.test.ts) lists those and checks every remedy against the measured table.
 */
import type { AttrInput, GraphBuilder, OpOptions } from "../ir/builder";
import { onnxTypeCode, type DType } from "../ir/dtype";
import type { Attr, Value } from "../ir/ir";
import { TYPE_RULES } from "../ops/type-rules";
import { FLOAT64_REWRITES, type Rewrite } from "./kernel-rewrites";
import { kernelGap, kernelKey, measuredKernels, type KernelGapKind } from "./kernel-table";

type Widening = Readonly<Partial<Record<DType, DType>>>;
type Attrs = Readonly<Record<string, AttrInput>>;

/**
 * Float arithmetic on half types in float32, rounded back once: what XLA on CPU does with
 * float16 / bfloat16 elementwise ops, and correctly rounded for + - * / sqrt (float32 has more
 * than twice bfloat16's and float16's precision).
 */
const FLOAT_VIA_FLOAT32: Widening = { float16: "float32", bfloat16: "float32" };

/** Values only moved or compared for equality: any injective cast is exact (uint64 -> int64 wraps and wraps back). */
const SELECTION: Widening = {
  bool: "uint8", int8: "int32", uint8: "int32", int16: "int32", uint16: "int32", uint32: "int64", uint64: "int64", ...FLOAT_VIA_FLOAT32,
};

/** Values ordered (max, min, sort, compare): the cast must keep the order, so uint64 has no wider type. */
const ORDER: Widening = { bool: "uint8", int8: "int32", uint8: "int32", int16: "int32", uint16: "int32", uint32: "int64", ...FLOAT_VIA_FLOAT32 };

/**
 * Integer ring arithmetic (sums, products, dots): computed wider and truncated back by the Cast
 * (two's complement; ONNX Cast between integer types wraps in both runtimes), which is the
 * wrap-around JAX's own integer arithmetic has.
 */
const WRAPPING: Widening = { int8: "int32", uint8: "int32", int16: "int32", uint16: "int32", uint32: "int64", uint64: "int64", ...FLOAT_VIA_FLOAT32 };

/** BitShift: uint16 has no wasm kernel; a left shift in uint32 truncates back exactly, a right shift is exact. */
const SHIFT: Widening = { uint16: "uint32" };

const each = (ops: readonly string[], w: Widening): Record<string, Widening> => Object.fromEntries(ops.map((op) => [op, w]));

/** How each op's gaps are widened (applies only to dtypes the measured table lists as gaps). */
export const WIDENINGS: Readonly<Record<string, Widening>> = {
  ...each(["Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Erf", "Exp", "Floor", "IsInf", "IsNaN", "Log", "Reciprocal", "Round", "Sigmoid", "Sign", "Sin", "Sinh", "Sqrt", "Tan", "Tanh", "Div", "Mod", "Softmax", "LogSoftmax", "ReduceMean", "ReduceL2", "ReduceLogSumExp"], FLOAT_VIA_FLOAT32),
  ...each(["Where", "Pad", "Expand", "Tile", "Concat", "Gather", "GatherElements", "GatherND", "ScatterND", "ScatterElements", "Equal", "Size", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Slice", "Split"], SELECTION),
  ...each(["Max", "Min", "Clip", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "ArgMax", "ArgMin", "TopK", "ReduceMax", "ReduceMin", "ScatterND.max", "ScatterND.min", "ScatterElements.max", "ScatterElements.min"], ORDER),
  ...each(["Add", "Sub", "Mul", "Neg", "Pow", "MatMul", "Einsum", "ReduceSum", "ReduceProd", "CumSum", "CumProd", "ScatterND.add", "ScatterND.mul", "ScatterElements.add", "ScatterElements.mul"], WRAPPING),
  BitShift: SHIFT,
};

/** Exact same-dtype rewrites, by dtype and op. */
export const REWRITES: Readonly<Partial<Record<DType, Readonly<Record<string, Rewrite>>>>> = { float64: FLOAT64_REWRITES };

export type KernelPlan =
  | { readonly kind: "native" }
  | { readonly kind: "rewrite"; readonly rewrite: Rewrite }
  | { readonly kind: "widen"; readonly to: DType }
  | { readonly kind: "unremedied"; readonly gap: KernelGapKind };

/** What emitting the op `key` (kernelKey) on T = `dtype` takes. */
export function kernelPlan(key: string, dtype: DType): KernelPlan {
  const gap = kernelGap(key, dtype);
  if (gap === null) return { kind: "native" };
  const rewrite = REWRITES[dtype]?.[key];
  if (rewrite) return { kind: "rewrite", rewrite };
  const to = WIDENINGS[key]?.[dtype];
  if (to && kernelGap(key, to) === null) return { kind: "widen", to };
  return { kind: "unremedied", gap };
}

/** Whether both runtimes run `op` as it is on T = `dtype` (fusions emit only such ops). */
export function hasKernel(op: string, dtype: DType, attrs: Attrs = {}): boolean {
  return kernelGap(kernelKey(op, attrs), dtype) === null;
}

/** The dtype `op` computes T = `dtype` in: itself, or the wider one it is cast to (for rules that cast once around a chain of such ops). */
export function computeDtype(op: string, dtype: DType, attrs: Attrs = {}): DType {
  const plan = kernelPlan(kernelKey(op, attrs), dtype);
  return plan.kind === "widen" ? plan.to : dtype;
}

function cast(b: GraphBuilder, v: Value, to: DType): Value {
  return v.type.dtype === to ? v : b.op("Cast", [v], { to: onnxTypeCode(to) });
}

function asAttrs(attrs: Attrs): Record<string, Attr> {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, Array.isArray(v) ? { type: "ints", value: v } : typeof v === "number" ? { type: "int", value: v } : typeof v === "string" ? { type: "string", value: v } : v])) as Record<string, Attr>;
}

/**
 * Emits `op` through `b` the way its kernel plan says, or returns null when the op runs as it is
 * (the caller emits it). Results carry the types the op itself would have.
 */
export function emitWithKernel(b: GraphBuilder, op: string, inputs: readonly (Value | null)[], attrs: Attrs = {}, opts: OpOptions = {}): Value[] | null {
  const key = kernelKey(op, attrs);
  const entry = measuredKernels(key);
  const dtype = entry?.inputs.map((i) => inputs[i]?.type.dtype).find((d) => d !== undefined);
  if (!entry || !dtype) return null;
  const plan = kernelPlan(key, dtype);
  if (plan.kind === "native" || plan.kind === "unremedied") return null;
  if (plan.kind === "rewrite") {
    const result = plan.rewrite(b, inputs, attrs);
    const rule = TYPE_RULES.get(op);
    if (opts.types) result.type = opts.types[0];
    else if (rule) result.type = rule({ op, inputs: inputs.map((v) => v?.type ?? null), attrs: asAttrs(attrs), constant: (i) => b.constantValues(inputs[i] ?? null) })[0];
    return [result];
  }
  const wide = inputs.map((v, i) => (v && entry.inputs.includes(i) && v.type.dtype === dtype ? cast(b, v, plan.to) : v));
  const types = opts.types?.map((t, j) => (entry.outputs.includes(j) ? { ...t, dtype: plan.to } : t));
  const outs = b.ops(op, wide, attrs, { ...opts, ...(types ? { types } : {}) });
  return outs.map((v, j) => (entry.outputs.includes(j) ? cast(b, v, dtype) : v));
}
