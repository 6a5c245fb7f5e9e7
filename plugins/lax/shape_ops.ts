/** Layout primitives that map one-to-one: squeeze, transpose, concatenate (expand_dims is broadcast_in_dim in JAX). */
import type { LoweringRule } from "../../src/core";

export const squeezeRule: LoweringRule = {
  primitive: "squeeze",
  onnxOps: ["Squeeze"],
  lower: (ctx) => ctx.op("Squeeze", [ctx.input(0), ctx.int64s(ctx.params.ints("dimensions"))]),
};

export const transposeRule: LoweringRule = {
  primitive: "transpose",
  onnxOps: ["Transpose"],
  lower: (ctx) => ctx.op("Transpose", [ctx.input(0)], { perm: ctx.params.ints("permutation") }),
};

export const concatenateRule: LoweringRule = {
  primitive: "concatenate",
  onnxOps: ["Concat"],
  lower: (ctx) => ctx.op("Concat", ctx.inputs(), { axis: ctx.params.int("dimension") }, { types: [ctx.outType()] }),
};
