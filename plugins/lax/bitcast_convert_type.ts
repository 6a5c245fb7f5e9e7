/**
 * lax.bitcast_convert_type(x, new_dtype): the same bits read as another dtype. Same width: one
 * element per element. A narrower target adds a trailing axis of width ratio (little-endian: part
 * i holds bits [i*w, (i+1)*w)); a wider one consumes x's trailing axis. Bits travel in a uint64
 * container (BitShift/BitwiseAnd), floats through float_bits.ts (BitCast from opset 26, exact
 * arithmetic below it; see there for NaN payloads).
 */
import { isFloat, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { cast } from "./kernel_dtypes";
import { bitsToFloat, floatToBits, unsignedOfWidth, widthOf } from "./float_bits";
import { reduce } from "./reductions";

/** x's bits as the unsigned integer of its width. */
function bitsOf(ctx: LoweringContext, x: Value): Value {
  const u = unsignedOfWidth(widthOf(x.type.dtype));
  if (x.type.dtype === "bool") ctx.fail("bitcast_convert_type of bool");
  return isFloat(x.type.dtype) ? floatToBits(ctx, x, u) : cast(ctx, x, u);
}

/** Unsigned `bits` read as `to` (same width). */
function fromBits(ctx: LoweringContext, bits: Value, to: DType): Value {
  if (to === "bool") ctx.fail("bitcast_convert_type to bool");
  return isFloat(to) ? bitsToFloat(ctx, bits, to) : cast(ctx, bits, to);
}

export const bitcastConvertTypeRule: LoweringRule = {
  primitive: "bitcast_convert_type",
  onnxOps: ["BitCast", "Cast", "BitShift", "BitwiseAnd", "Unsqueeze", "ReduceSum"],
  lower(ctx) {
    const x = ctx.input(0);
    const to = ctx.params.dtype("new_dtype");
    const [wFrom, wTo] = [widthOf(x.type.dtype), widthOf(to)];
    if (wFrom === wTo) return fromBits(ctx, bitsOf(ctx, x), to);
    const container = cast(ctx, bitsOf(ctx, x), "uint64");
    const narrow = Math.min(wFrom, wTo);
    const offsets = ctx.constant(Array.from({ length: Math.max(wFrom, wTo) / narrow }, (_, i) => i * narrow), "uint64");
    if (wFrom > wTo) {
      const shifted = ctx.op("BitShift", [ctx.op("Unsqueeze", [container, ctx.int64s([-1])]), offsets], { direction: "RIGHT" });
      const parts = ctx.op("BitwiseAnd", [shifted, ctx.scalar(2 ** narrow - 1, "uint64")]);
      return fromBits(ctx, cast(ctx, parts, unsignedOfWidth(wTo)), to);
    }
    // Disjoint bit fields: their sum is their bitwise or (int64 sums wrap like uint64 ones).
    const placed = cast(ctx, ctx.op("BitShift", [container, offsets], { direction: "LEFT" }), "int64");
    const whole = reduce(ctx, "ReduceSum", placed, [x.type.shape.length - 1]);
    return fromBits(ctx, cast(ctx, cast(ctx, whole, "uint64"), unsignedOfWidth(wTo)), to);
  },
};
