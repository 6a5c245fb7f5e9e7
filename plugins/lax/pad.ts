/**
 * lax.pad(x, padding_value, padding_config): per axis (low, high, interior). JAX first puts
 * `interior` copies of the value between neighbouring elements, then adds `low` / `high` at the
 * ends, where a negative amount removes elements. ONNX Pad takes negative pads as cropping too
 * (opset 11+), so low/high are one Pad; interior padding, which ONNX has no op for, is per axis
 * Unsqueeze -> Pad the new unit axis to 1 + interior -> Reshape back (n * (1 + interior))
 * -> Slice off the trailing `interior`, leaving n + (n - 1) * interior.
 */
import type { Dim, LoweringContext, LoweringRule, Value } from "../../src/core";
import { withKernelDtype } from "../shared/kernel_dtypes";

function pad(ctx: LoweringContext, x: Value, value: Value, pads: readonly number[]): Value {
  return withKernelDtype(ctx, "Pad", [x, value], ([data, fill]) => ctx.op("Pad", [data, ctx.int64s(pads), fill]));
}

function interiorPad(ctx: LoweringContext, x: Value, value: Value, axis: number, interior: number): Value {
  const rank = x.type.shape.length;
  const n = x.type.shape[axis];
  const spread = ctx.op("Unsqueeze", [x, ctx.int64s([axis + 1])]);
  const padsAfter = new Array<number>(2 * (rank + 1)).fill(0);
  padsAfter[rank + 1 + axis + 1] = interior;
  const widened = pad(ctx, spread, value, padsAfter);
  const merged: Dim[] = x.type.shape.map((d, i) => (i === axis ? -1 : d));
  const mergedType = { dtype: x.type.dtype, shape: x.type.shape.map((d, i) => (i === axis ? (typeof n === "number" ? n * (1 + interior) : null) : d)) };
  const flat = ctx.op("Reshape", [widened, ctx.shape(merged)], {}, { types: [mergedType] });
  return ctx.op("Slice", [flat, ctx.int64s([0]), ctx.int64s([-interior]), ctx.int64s([axis])]);
}

export const padRule: LoweringRule = {
  primitive: "pad",
  onnxOps: ["Pad", "Unsqueeze", "Reshape", "Slice"],
  lower(ctx) {
    let x = ctx.input(0);
    const value = ctx.input(1);
    const config = ctx.params.tuple("padding_config").map((_, i) => ctx.params.ints("padding_config", i));
    config.forEach(([, , interior], axis) => {
      if (interior > 0) x = interiorPad(ctx, x, value, axis, interior);
    });
    if (config.every(([lo, hi]) => lo === 0 && hi === 0)) return x;
    return pad(ctx, x, value, [...config.map(([lo]) => lo), ...config.map(([, hi]) => hi)]);
  },
};
