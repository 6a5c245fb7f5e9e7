/**
 * Layout primitives that map to one or two ONNX ops: squeeze, transpose, concatenate, and JAX
 * 0.10's stack / unstack / tile / split, plus rev (expand_dims is broadcast_in_dim in JAX).
 */
import type { LoweringRule, Value } from "../../src/core";

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

/** lax.stack(operands, axis): every operand gets a unit dim at `axis`, then they are joined there. */
export const stackRule: LoweringRule = {
  primitive: "stack",
  onnxOps: ["Unsqueeze", "Concat"],
  lower(ctx) {
    const axis = ctx.int64s([ctx.params.int("axis")]);
    const parts = ctx.inputs().map((x) => ctx.op("Unsqueeze", [x, axis]));
    return parts.length === 1 ? parts[0] : ctx.op("Concat", parts, { axis: ctx.params.int("axis") }, { types: [ctx.outType()] });
  },
};

/** lax.unstack(x, axis): one output per index along `axis` (a static dim), the axis removed. */
export const unstackRule: LoweringRule = {
  primitive: "unstack",
  onnxOps: ["Split", "Squeeze"],
  lower(ctx) {
    const x = ctx.input(0);
    const axis = ctx.params.int("axis");
    const n = ctx.eqn.outputs.length;
    const squeeze = (v: Value): Value => ctx.op("Squeeze", [v, ctx.int64s([axis])]);
    if (n === 1) return [squeeze(x)];
    const pieceType = { dtype: x.type.dtype, shape: x.type.shape.map((d, i) => (i === axis ? 1 : d)) };
    const pieces = ctx.ops("Split", [x, ctx.int64s(new Array(n).fill(1))], { axis }, { types: new Array(n).fill(pieceType) });
    return pieces.map(squeeze);
  },
};

/** lax.tile(x, reps) is ONNX Tile. */
export const tileRule: LoweringRule = {
  primitive: "tile",
  onnxOps: ["Tile"],
  lower: (ctx) => ctx.op("Tile", [ctx.input(0), ctx.int64s(ctx.params.ints("reps"))]),
};

/** lax.split(x, sizes, axis): ONNX Split with the sizes as input (symbolic sizes computed at run time). */
export const splitRule: LoweringRule = {
  primitive: "split",
  onnxOps: ["Split"],
  lower(ctx) {
    const x = ctx.input(0);
    const sizes = ctx.params.dims("sizes");
    if (sizes.length === 1) return [x];
    const types = ctx.eqn.outputs.map((_, i) => ctx.outType(i));
    return ctx.ops("Split", [x, ctx.shape(sizes)], { axis: ctx.params.int("axis") }, { types });
  },
};

/**
 * lax.rev(x, dimensions): a Slice stepping -1 over each reversed axis, from the last element
 * (start -1) past the first (end INT64_MIN, which ONNX Slice clamps to -1 for negative steps).
 */
export const revRule: LoweringRule = {
  primitive: "rev",
  onnxOps: ["Slice"],
  lower(ctx) {
    const x = ctx.input(0);
    const axes = ctx.params.ints("dimensions");
    if (axes.length === 0) return x;
    const n = axes.length;
    return ctx.op("Slice", [x, ctx.int64s(new Array(n).fill(-1)), ctx.constant(new Array(n).fill(-(2n ** 63n)), "int64"), ctx.int64s(axes), ctx.int64s(new Array(n).fill(-1))]);
  },
};
