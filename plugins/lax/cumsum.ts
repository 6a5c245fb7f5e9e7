/**
 * lax.cumsum(x, axis, reverse) -> ONNX CumSum (opset 11; axis is an input, `reverse` an
 * attribute with the same meaning: sums run from the end of the axis).
 */
import type { LoweringRule } from "../../src/core";
import { opWithKernel } from "./kernel_dtypes";

export const cumsumRule: LoweringRule = {
  primitive: "cumsum",
  onnxOps: ["CumSum"],
  minOpset: 11,
  lower(ctx) {
    const x = ctx.input(0);
    const axis = ctx.scalar(ctx.params.int("axis"), "int64");
    // int8/16 are outside CumSum's type constraint and uint32/64 have no kernel: kernel_dtypes.ts.
    return opWithKernel(ctx, "CumSum", [x, axis], { reverse: ctx.params.bool("reverse") ? 1 : 0 });
  },
};
