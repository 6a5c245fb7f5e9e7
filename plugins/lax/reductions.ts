/**
 * Reductions over `axes` (lax.reduce_sum/prod/max/min/and/or/xor) and lax.argmax/argmin.
 * ONNX takes reduction axes as an input from opset 13 (ReduceSum) / 18 (the others), before
 * that as an attribute. Dtypes without an onnxruntime kernel compute in a wider one
 * (kernel_dtypes.ts). Boolean reductions run over uint8 (ONNX reductions take bool only from
 * opset 20); bitwise and/or/xor of integers reduce each bit plane (ONNX has no bitwise reduction).
 * Float max/min and argmax/argmin propagate NaN as XLA does; ONNX's reductions skip it.
 */
import type { LoweringContext, LoweringRule, Value } from "../../src/core";
import { isFloat, isInteger, onnxTypeCode } from "../../src/core";
import { PRODUCT_SCAN, associativeScan } from "./cumulative";
import { unsignedOfWidth, widthOf } from "./float_bits";
import { cast, opWithKernel } from "./kernel_dtypes";

export function reduce(ctx: LoweringContext, op: string, x: Value, axes: readonly number[], keepdims = 0): Value {
  const axesAsInput = op === "ReduceSum" ? ctx.opset >= 13 : ctx.opset >= 18;
  if (axes.length === 0) return x;
  return axesAsInput ? opWithKernel(ctx, op, [x, ctx.int64s(axes)], { keepdims }) : opWithKernel(ctx, op, [x], { axes, keepdims });
}

/** True where any of x's elements over `axes` is NaN. */
function anyNan(ctx: LoweringContext, x: Value, axes: readonly number[]): Value {
  return cast(ctx, reduce(ctx, "ReduceMax", cast(ctx, ctx.op("IsNaN", [x]), "uint8"), axes), "bool");
}

/**
 * Integer sums and products wrap around in JAX; onnxruntime's ReduceSum and ReduceProd saturate
 * at the type's bounds instead (measured, int32 and int64, CPU and wasm). CumSum and Mul do wrap,
 * so the reduced axes are moved last and flattened, then summed with CumSum (taking the last
 * element) or multiplied by a log-depth scan (CumProd from opset 26).
 */
function wrappingReduction(ctx: LoweringContext, x: Value, axes: readonly number[], kind: "sum" | "prod"): Value {
  const rank = x.type.shape.length;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const kept = x.type.shape.flatMap((_, i) => (reduced.has(i) ? [] : [i]));
  const perm = [...kept, ...[...reduced].sort((a, b) => a - b)];
  const moved = perm.every((p, i) => p === i) ? x : ctx.op("Transpose", [x], { perm });
  const keptDims = kept.map((i) => x.type.shape[i]);
  const sizes = [...reduced].map((i) => x.type.shape[i]);
  const n = sizes.every((d): d is number => typeof d === "number") ? sizes.reduce((a, b) => a * b, 1) : null;
  if (n === 0) return ctx.op("Expand", [ctx.scalar(kind === "sum" ? 0 : 1, x.type.dtype), ctx.shape(keptDims)]);
  const flat = ctx.op("Reshape", [moved, ctx.shape([...keptDims, n ?? -1])], {}, { types: [{ dtype: x.type.dtype, shape: [...keptDims, n] }] });
  const last = kept.length;
  const scanned =
    kind === "sum" ? opWithKernel(ctx, "CumSum", [flat, ctx.scalar(last, "int64")])
    : ctx.opset >= 26 ? opWithKernel(ctx, "CumProd", [flat, ctx.scalar(last, "int64")])
    : associativeScan(ctx, flat, last, PRODUCT_SCAN, false, `reduce_prod of ${x.type.dtype}`);
  const end = ctx.op("Slice", [scanned, ctx.int64s([-1]), ctx.int64s([Number.MAX_SAFE_INTEGER]), ctx.int64s([last])]);
  return ctx.op("Squeeze", [end, ctx.int64s([last])]);
}

const reduction = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: [op, "CumSum", "Transpose", "Reshape", "Slice", "Squeeze", "Mul"],
  lower(ctx) {
    const x = ctx.input(0);
    const axes = ctx.params.ints("axes");
    if (isInteger(x.type.dtype) && axes.length > 0) return wrappingReduction(ctx, x, axes, op === "ReduceSum" ? "sum" : "prod");
    return reduce(ctx, op, x, axes);
  },
});

/** max/min: bool as uint8; floats with NaN give NaN (XLA), which ONNX ReduceMax/Min skip. */
const orderReduction = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: ["Cast", op, "IsNaN", "Where"],
  lower(ctx) {
    const x = ctx.input(0);
    const axes = ctx.params.ints("axes");
    if (x.type.dtype === "bool") return cast(ctx, reduce(ctx, op, cast(ctx, x, "uint8"), axes), "bool");
    const r = reduce(ctx, op, x, axes);
    if (!isFloat(x.type.dtype) || axes.length === 0) return r;
    return ctx.op("Where", [anyNan(ctx, x, axes), ctx.scalar(NaN, x.type.dtype), r]);
  },
});

/**
 * Bitwise and/or/xor of integers over `axes`, one bit plane at a time: the planes are a trailing
 * axis of 0/1 values (int64), reduced by Min (and), Max (or) or a sum mod 2 (xor), and
 * reassembled by weighting each with 2**bit (disjoint bits: the sum is the or).
 */
function bitPlaneReduction(ctx: LoweringContext, x: Value, axes: readonly number[], kind: "and" | "or" | "xor"): Value {
  const width = widthOf(x.type.dtype);
  const container = cast(ctx, cast(ctx, x, unsignedOfWidth(width)), "uint64");
  const planes = Array.from({ length: width }, (_, i) => i);
  const shifted = ctx.op("BitShift", [ctx.op("Unsqueeze", [container, ctx.int64s([-1])]), ctx.constant(planes, "uint64")], { direction: "RIGHT" });
  const bits = cast(ctx, ctx.op("BitwiseAnd", [shifted, ctx.scalar(1, "uint64")]), "int64");
  const reduced =
    kind === "and" ? reduce(ctx, "ReduceMin", bits, axes)
    : kind === "or" ? reduce(ctx, "ReduceMax", bits, axes)
    : ctx.op("Mod", [reduce(ctx, "ReduceSum", bits, axes), ctx.scalar(2, "int64")]);
  const weighted = ctx.op("BitShift", [cast(ctx, reduced, "uint64"), ctx.constant(planes, "uint64")], { direction: "LEFT" });
  // The bit planes are disjoint: their int64 sum (wrapping like uint64) is their bitwise or.
  const whole = reduce(ctx, "ReduceSum", cast(ctx, weighted, "int64"), [x.type.shape.length - axes.length]);
  return cast(ctx, cast(ctx, whole, unsignedOfWidth(width)), x.type.dtype);
}

/** reduce_and/or/xor: logical over bools (as uint8 Min/Max/parity), bitwise over integers. */
const logicalReduction = (primitive: string, kind: "and" | "or" | "xor"): LoweringRule => ({
  primitive,
  onnxOps: ["Cast", "ReduceMin", "ReduceMax", "ReduceSum", "Mod", "BitShift", "BitwiseAnd", "Unsqueeze"],
  lower(ctx) {
    const x = ctx.input(0);
    const axes = ctx.params.ints("axes");
    if (axes.length === 0) return x;
    if (x.type.dtype !== "bool") return bitPlaneReduction(ctx, x, axes, kind);
    const asInt = cast(ctx, x, "uint8");
    if (kind === "xor") return cast(ctx, ctx.op("Mod", [reduce(ctx, "ReduceSum", cast(ctx, asInt, "int32"), axes), ctx.scalar(2, "int32")]), "bool");
    return cast(ctx, reduce(ctx, kind === "and" ? "ReduceMin" : "ReduceMax", asInt, axes), "bool");
  },
});

const argReduction = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: [op, "Cast", "IsNaN", "Where"],
  lower(ctx) {
    const axes = ctx.params.ints("axes");
    if (axes.length !== 1) ctx.fail(`${primitive} over ${axes.length} axes`);
    const input = ctx.input(0);
    // ONNX ArgMax/ArgMin take no bool: compare as uint8.
    const x = input.type.dtype === "bool" ? cast(ctx, input, "uint8") : input;
    // JAX returns the first index of the extreme value, as ONNX does with select_last_index=0.
    let idx = opWithKernel(ctx, op, [x], { axis: axes[0], keepdims: 0 });
    if (isFloat(x.type.dtype)) {
      // NaN wins in XLA's argmax and argmin (the first NaN); onnxruntime's CPU and wasm kernels
      // each skip it differently. ArgMax of the NaN mask finds the first one.
      const nanMask = cast(ctx, ctx.op("IsNaN", [x]), "uint8");
      const firstNan = ctx.op("ArgMax", [nanMask], { axis: axes[0], keepdims: 0 });
      idx = ctx.op("Where", [anyNan(ctx, x, axes), firstNan, idx]);
    }
    const dtype = ctx.params.dtype("index_dtype");
    return dtype === "int64" ? idx : ctx.op("Cast", [idx], { to: onnxTypeCode(dtype) });
  },
});

export const REDUCTION_RULES: LoweringRule[] = [
  reduction("reduce_sum", "ReduceSum"),
  orderReduction("reduce_max", "ReduceMax"),
  orderReduction("reduce_min", "ReduceMin"),
  reduction("reduce_prod", "ReduceProd"),
  logicalReduction("reduce_and", "and"),
  logicalReduction("reduce_or", "or"),
  logicalReduction("reduce_xor", "xor"),
  argReduction("argmax", "ArgMax"),
  argReduction("argmin", "ArgMin"),
];
