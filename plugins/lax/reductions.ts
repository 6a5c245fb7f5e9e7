/**
 * Reductions over `axes` (lax.reduce_sum/max/min/prod/and/or) and lax.argmax/argmin.
 * ONNX takes reduction axes as an input from opset 13 (ReduceSum) / 18 (the others), before
 * that as an attribute. Boolean all/any/max/min reduce as Min/Max over uint8 (ONNX reductions take
 * bool only from opset 20).
 */
import type { LoweringContext, LoweringRule, Value } from "../../src/core";
import { onnxTypeCode } from "../../src/core";

export function reduce(ctx: LoweringContext, op: string, x: Value, axes: readonly number[], keepdims = 0): Value {
  const axesAsInput = op === "ReduceSum" ? ctx.opset >= 13 : ctx.opset >= 18;
  if (axes.length === 0) return x;
  return axesAsInput ? ctx.op(op, [x, ctx.int64s(axes)], { keepdims }) : ctx.op(op, [x], { axes, keepdims });
}

const reduction = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: [op],
  lower: (ctx) => reduce(ctx, op, ctx.input(0), ctx.params.ints("axes")),
});

const boolReduction = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: ["Cast", op],
  lower(ctx) {
    const x = ctx.input(0);
    if (x.type.dtype !== "bool") return reduce(ctx, op, x, ctx.params.ints("axes"));
    const asInt = ctx.op("Cast", [x], { to: onnxTypeCode("uint8") });
    return ctx.op("Cast", [reduce(ctx, op, asInt, ctx.params.ints("axes"))], { to: onnxTypeCode("bool") });
  },
});

const argReduction = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: [op, "Cast"],
  lower(ctx) {
    const axes = ctx.params.ints("axes");
    if (axes.length !== 1) ctx.fail(`${primitive} over ${axes.length} axes`);
    // ONNX ArgMax/ArgMin take no bool: compare as uint8.
    const x = ctx.input(0).type.dtype === "bool" ? ctx.op("Cast", [ctx.input(0)], { to: onnxTypeCode("uint8") }) : ctx.input(0);
    // JAX returns the first index of the extreme value, as ONNX does with select_last_index=0.
    const idx = ctx.op(op, [x], { axis: axes[0], keepdims: 0 });
    const dtype = ctx.params.dtype("index_dtype");
    return dtype === "int64" ? idx : ctx.op("Cast", [idx], { to: onnxTypeCode(dtype) });
  },
});

export const REDUCTION_RULES: LoweringRule[] = [
  reduction("reduce_sum", "ReduceSum"),
  boolReduction("reduce_max", "ReduceMax"),
  boolReduction("reduce_min", "ReduceMin"),
  reduction("reduce_prod", "ReduceProd"),
  boolReduction("reduce_and", "ReduceMin"),
  boolReduction("reduce_or", "ReduceMax"),
  argReduction("argmax", "ArgMax"),
  argReduction("argmin", "ArgMin"),
];
