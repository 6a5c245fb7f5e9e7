/**
 * Dilating and padding axes the way XLA pads (lax.pad's interior / low / high, conv
 * lhs_dilation and padding, reduce_window base_dilation and padding).
 *
 * dilateAxis: `interior` copies of a value between neighbouring elements, n elements becoming
 * n + (n - 1) * interior. ONNX has no op for it: Unsqueeze a unit axis after `axis`, Pad it to
 * 1 + interior with the value, Reshape the pair into one axis of n * (1 + interior), Slice off
 * the trailing `interior`.
 *
 * padEnds: low / high amounts per axis where negative amounts crop, which ONNX Pad does
 * itself (negative pads remove elements, opset 11+).
 */
import type { Dim, LoweringContext, Value } from "../../src/core";
import { withKernelDtype } from "./kernel_dtypes";

function pad(ctx: LoweringContext, x: Value, value: Value, pads: readonly number[]): Value {
  return withKernelDtype(ctx, "Pad", [x, value], ([data, fill]) => ctx.op("Pad", [data, ctx.int64s(pads), fill]));
}

/** The size of a dilated axis: static, or a dim expression JAX would print for it. */
function dilatedDim(n: Dim, interior: number): Dim {
  if (typeof n === "number") return n === 0 ? 0 : n + (n - 1) * interior;
  return n === null ? null : `${1 + interior}*(${n}) - ${interior}`;
}

export function dilateAxis(ctx: LoweringContext, x: Value, value: Value, axis: number, interior: number): Value {
  const rank = x.type.shape.length;
  const spread = ctx.op("Unsqueeze", [x, ctx.int64s([axis + 1])]);
  const pads = new Array<number>(2 * (rank + 1)).fill(0);
  pads[rank + 1 + axis + 1] = interior;
  const widened = pad(ctx, spread, value, pads);
  // The target shape: x's dims around `axis` (read at run time when not all static), -1 there.
  const static_ = x.type.shape.every((d) => typeof d === "number");
  const target = static_
    ? ctx.int64s(x.type.shape.map((d, i) => (i === axis ? -1 : (d as number))))
    : ctx.op("Concat", [ctx.op("Shape", [x], { start: 0, end: axis }), ctx.int64s([-1]), ctx.op("Shape", [x], { start: axis + 1 })], { axis: 0 });
  const n = x.type.shape[axis];
  const mergedType = { dtype: x.type.dtype, shape: x.type.shape.map((d, i) => (i === axis ? (typeof n === "number" ? n * (1 + interior) : null) : d)) };
  const flat = ctx.op("Reshape", [widened, target], {}, { types: [mergedType] });
  const out = ctx.op("Slice", [flat, ctx.int64s([0]), ctx.int64s([-interior]), ctx.int64s([axis])]);
  out.type = { dtype: out.type.dtype, shape: x.type.shape.map((d, i) => (i === axis ? dilatedDim(n, interior) : d)) };
  return out;
}

/** Pads (positive) or crops (negative) each axis by low[i] at the start and high[i] at the end. */
export function padEnds(ctx: LoweringContext, x: Value, value: Value, low: readonly number[], high: readonly number[]): Value {
  return [...low, ...high].some((q) => q !== 0) ? pad(ctx, x, value, [...low, ...high]) : x;
}
