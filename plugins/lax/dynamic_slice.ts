/**
 * lax.dynamic_slice(x, *starts, slice_sizes) -> ONNX Slice with run-time bounds. JAX clamps every
 * start to [0, dim - size] so the slice stays in bounds (lax.dynamic_slice docs); ONNX Slice
 * would instead shrink the slice, so the clamp is explicit. Negative starts are clamped to 0 as
 * JAX does (jnp indexing normalises negative indices itself, before the primitive).
 */
import type { LoweringRule } from "../../src/core";
import { clampStart, lastStart, toInt64 } from "../shared/index_math";

export const dynamicSliceRule: LoweringRule = {
  primitive: "dynamic_slice",
  onnxOps: ["Slice", "Max", "Min", "Add", "Concat"],
  lower(ctx) {
    const x = ctx.input(0);
    const sizes = ctx.params.dims("slice_sizes");
    const shape = x.type.shape;
    if (ctx.eqn.inputs.length !== 1 + shape.length) ctx.fail("dynamic slice sizes (dynamic shapes) are not supported");
    // An axis sliced whole has start 0 after clamping: nothing to do there.
    const axes = shape.map((_, i) => i).filter((i) => sizes[i] !== shape[i]);
    if (axes.length === 0) return x;
    const starts = axes.map((i) => ctx.op("Unsqueeze", [clampStart(ctx, toInt64(ctx, ctx.input(1 + i)), lastStart(ctx, shape[i], sizes[i])), ctx.int64s([0])]));
    const start = starts.length === 1 ? starts[0] : ctx.op("Concat", starts, { axis: 0 });
    const end = ctx.op("Add", [start, ctx.shape(axes.map((i) => sizes[i]))]);
    return ctx.op("Slice", [x, start, end, ctx.int64s(axes)], {}, { types: [ctx.outType()] });
  },
};
