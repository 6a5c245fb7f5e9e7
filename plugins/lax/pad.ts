/**
 * lax.pad(x, padding_value, padding_config): per axis (low, high, interior). JAX first puts
 * `interior` copies of the value between neighbouring elements, then adds `low` / `high` at the
 * ends, where a negative amount removes elements: interior padding dilates each axis, then
 * low / high are one ONNX Pad, whose negative pads crop too (plugins/shared/dilate.ts).
 */
import type { LoweringRule } from "../../src/core";
import { dilateAxis, padEnds } from "../shared/dilate";

export const padRule: LoweringRule = {
  primitive: "pad",
  onnxOps: ["Pad", "Unsqueeze", "Reshape", "Slice", "Concat", "Shape"],
  lower(ctx) {
    let x = ctx.input(0);
    const value = ctx.input(1);
    const config = ctx.params.tuple("padding_config").map((_, i) => ctx.params.ints("padding_config", i));
    config.forEach(([, , interior], axis) => {
      if (interior > 0) x = dilateAxis(ctx, x, value, axis, interior);
    });
    return padEnds(ctx, x, value, config.map(([lo]) => lo), config.map(([, hi]) => hi));
  },
};
