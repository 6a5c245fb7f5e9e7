/**
 * lax.lt_to, le_to, eq_to (JAX 0.10): comparisons under IEEE totalOrder, which XLA's TOTALORDER
 * compare type implements: -NaN < -inf < ... < -0 < +0 < ... < inf < +NaN, NaNs ordered by
 * payload and eq_to(NaN, NaN) true for equal bit patterns. JAX's sort comparators and
 * searchsorted emit them. Floats compare through totalOrderKey (float_bits.ts); integers and
 * bools order as usual.
 */
import { isFloat, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { cast } from "./kernel_dtypes";
import { totalOrderKey } from "./float_bits";

function keys(ctx: LoweringContext): [Value, Value] {
  const [x, y] = ctx.inputs();
  if (isFloat(x.type.dtype)) return [totalOrderKey(ctx, x), totalOrderKey(ctx, y)];
  // ONNX Less/LessOrEqual take no bool: false < true as uint8.
  if (x.type.dtype === "bool") return [cast(ctx, x, "uint8"), cast(ctx, y, "uint8")];
  return [x, y];
}

const compare = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: [op, "BitCast", "Log", "Gather", "Where", "BitwiseXor"],
  lower: (ctx) => ctx.op(op, keys(ctx)),
});

export const TOTAL_ORDER_RULES: LoweringRule[] = [
  compare("lt_to", "Less"),
  compare("le_to", "LessOrEqual"),
  compare("eq_to", "Equal"),
];
