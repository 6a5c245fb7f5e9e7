/**
 * lax.reshape (row-major, as ONNX Reshape). A target with one symbolic dim and no zero sizes
 * uses -1 for it, so no shape arithmetic runs in the graph; otherwise symbolic dims are computed
 * from the inputs' shapes and zero sizes need allowzero. `dimensions` (a transpose before reshaping) is deprecated in JAX and
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
    const minusOne = symbolic.length === 1 && !sizes.includes(0);
    const target = minusOne ? ctx.int64s(sizes.map((d) => (typeof d === "number" ? d : -1))) : ctx.shape(sizes);
    // ONNX Reshape reads a 0 in the target as "keep the input's dim" unless allowzero=1 (opset 14);
    // JAX means a zero-size dim, which a symbolic dim may also be at run time.
    const mayBeZero = !minusOne && sizes.some((d) => d === 0 || typeof d !== "number");
    if (sizes.includes(0) && ctx.opset < 14) ctx.fail("a zero-size reshape needs Reshape's allowzero (opset >= 14)");
    const attrs: Record<string, number> = mayBeZero && ctx.opset >= 14 ? { allowzero: 1 } : {};
    return ctx.op("Reshape", [x, target], attrs, { types: [ctx.outType()] });
  },
};
