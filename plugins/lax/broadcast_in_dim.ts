/**
 * lax.broadcast_in_dim(x, shape, broadcast_dimensions): operand dim i becomes result dim
 * broadcast_dimensions[i] (strictly increasing); the rest are new. Unsqueeze the new dims, then
 * Expand to `shape`; Expand broadcasts, so dims already right are passed as 1 and only sizes the
 * operand lacks are named (symbolic ones computed from the graph inputs).
 */
import type { LoweringRule } from "../../src/core";

export const broadcastInDimRule: LoweringRule = {
  primitive: "broadcast_in_dim",
  onnxOps: ["Unsqueeze", "Expand"],
  lower(ctx) {
    let x = ctx.input(0);
    const shape = ctx.params.dims("shape");
    const kept = ctx.params.ints("broadcast_dimensions");
    const added = shape.map((_, i) => i).filter((i) => !kept.includes(i));
    if (added.length) x = ctx.op("Unsqueeze", [x, ctx.int64s(added)]);
    const expandTo = shape.map((d, i) => (x.type.shape[i] === d ? 1 : d));
    if (expandTo.every((d) => d === 1)) return x;
    return ctx.op("Expand", [x, ctx.shape(expandTo)], {}, { types: [ctx.outType()] });
  },
};
