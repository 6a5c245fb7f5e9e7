/**
 * lax.convert_element_type(x, new_dtype). Cast, plus what XLA on CPU defines and ONNX leaves
 * open: float -> integer truncates toward zero and saturates (NaN -> 0, +-inf and out-of-range
 * values -> the integer type's max/min; onnxruntime's Cast gives INT_MIN or wraps instead, and
 * the wasm build differs from the CPU one). Float -> bool is x != 0 (NaN is true).
 */
import { isFloat, isInteger, isUnsignedInt, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { cast, opWithKernel } from "./kernel_dtypes";
import { widthOf } from "./float_bits";

/** The largest float of `dtype` below 2**k (float32 and float64). */
function below(k: number, dtype: DType): number {
  const ulp = 2 ** (k - (dtype === "float64" ? 53 : 24));
  return 2 ** k - ulp;
}

function floatToInt(ctx: LoweringContext, x: Value, to: DType): Value {
  // Half types hold no integer beyond 65504 exactly: saturate in float32, where all of them are.
  const xf = x.type.dtype === "float64" ? x : cast(ctx, x, "float32");
  const f = xf.type.dtype;
  const width = widthOf(to);
  const top = isUnsignedInt(to) ? width : width - 1; // 2**top is the first value out of range
  const min = isUnsignedInt(to) ? 0 : -(2 ** top);
  const notNan = ctx.op("Where", [ctx.op("IsNaN", [xf]), ctx.scalar(0, f), xf]);
  const exactTop = 2 ** top - 1 <= below(top, f);
  const clipped = ctx.op("Min", [ctx.op("Max", [notNan, ctx.scalar(min, f)]), ctx.scalar(exactTop ? 2 ** top - 1 : below(top, f), f)]);
  const converted = cast(ctx, clipped, to);
  if (exactTop) return converted;
  const max = top === 64 ? 2n ** 64n - 1n : top === 63 ? 2n ** 63n - 1n : 2 ** top - 1;
  return opWithKernel(ctx, "Where", [ctx.op("GreaterOrEqual", [notNan, ctx.scalar(2 ** top, f)]), ctx.scalar(max, to), converted]);
}

export const convertElementTypeRule: LoweringRule = {
  primitive: "convert_element_type",
  onnxOps: ["Cast", "IsNaN", "Where", "Max", "Min", "GreaterOrEqual", "Equal", "Not"],
  lower(ctx) {
    const x = ctx.input(0);
    const to = ctx.params.dtype("new_dtype");
    if (to === x.type.dtype) return x;
    if (isFloat(x.type.dtype) && to === "bool") return ctx.op("Not", [ctx.op("Equal", [x, ctx.scalar(0, x.type.dtype)])]);
    if (isFloat(x.type.dtype) && isInteger(to)) return floatToInt(ctx, x, to);
    return cast(ctx, x, to);
  },
};
