/**
 * lax.slice(start_indices, limit_indices, strides) -> ONNX Slice over the axes it changes.
 * JAX's bounds are already in range (0 <= start <= limit <= dim), so Slice's own clamping never
 * applies; limits may be symbolic (x[1:] on a "B" dim), computed from the inputs' shapes.
 */
import type { Dim, LoweringRule } from "../../src/core";

export const sliceRule: LoweringRule = {
  primitive: "slice",
  onnxOps: ["Slice"],
  lower(ctx) {
    const x = ctx.input(0);
    const starts = ctx.params.dims("start_indices");
    const limits = ctx.params.dims("limit_indices");
    const strides = ctx.params.isNone("strides") ? starts.map(() => 1) : ctx.params.ints("strides");
    const axes = starts.map((_, i) => i).filter((i) => starts[i] !== 0 || limits[i] !== x.type.shape[i] || strides[i] !== 1);
    if (axes.length === 0) return x;
    const pick = (ds: readonly Dim[]): Dim[] => axes.map((i) => ds[i]);
    return ctx.op("Slice", [x, ctx.shape(pick(starts)), ctx.shape(pick(limits)), ctx.int64s(axes), ctx.int64s(axes.map((i) => strides[i]))]);
  },
};
