/**
 * lax.reshape (row-major, as ONNX Reshape). A target with one symbolic dim and no zero sizes
 * uses -1 for it, so no shape arithmetic runs in the graph; otherwise symbolic dims are computed
 * from the inputs' shapes. `dimensions` (a transpose before reshaping) is deprecated in JAX and
 * never emitted by jnp; it is rejected.
 */
import type { LoweringRule } from "../../src/core";

export const reshapeRule: LoweringRule = {
  primitive: "reshape",
  onnxOps: ["Reshape"],
  lower(ctx) {
    if (!ctx.params.isNone("dimensions")) ctx.fail("reshape with `dimensions` (transpose first) is not supported; use jnp.transpose then reshape");
    const x = ctx.input(0);
    const sizes = ctx.params.dims("new_sizes");
    const symbolic = sizes.filter((d) => typeof d !== "number");
    const target = symbolic.length === 1 && !sizes.includes(0) ? ctx.int64s(sizes.map((d) => (typeof d === "number" ? d : -1))) : ctx.shape(sizes);
    return ctx.op("Reshape", [x, target], {}, { types: [ctx.outType()] });
  },
};
