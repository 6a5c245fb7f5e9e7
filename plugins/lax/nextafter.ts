/**
 * lax.nextafter(x, y): the float after x in the direction of y. One step of the bit pattern
 * (away from zero is +1 on the magnitude bits, whatever the sign); from zero it is the smallest
 * subnormal with y's sign (XLA on CPU keeps subnormals); x == y gives y, NaN in either gives NaN.
 * The choice is made on bit patterns, so signed zeros survive (a float Where may drop a -0).
 */
import { type LoweringRule, type Value } from "../../src/core";
import { opWithKernel } from "./kernel_dtypes";
import { bitsToFloat, floatFormat, floatToBits, signedOfWidth, widthOf } from "./float_bits";

export const nextafterRule: LoweringRule = {
  primitive: "nextafter",
  onnxOps: ["BitCast", "Add", "Where", "Equal", "IsNaN", "Greater"],
  lower(ctx) {
    const [x, y] = ctx.inputs();
    const dtype = x.type.dtype;
    const width = widthOf(dtype);
    const s = signedOfWidth(width);
    const f = floatFormat(ctx, dtype);
    const zero = ctx.scalar(0, dtype);
    const int = (v: number | bigint): Value => ctx.scalar(v, s);
    const pick = (c: Value, a: Value, b: Value): Value => opWithKernel(ctx, "Where", [c, a, b]);
    const away = ctx.op("Equal", [ctx.op("Greater", [y, x]), ctx.op("Greater", [x, zero])]);
    const stepped = ctx.op("Add", [floatToBits(ctx, x, s), pick(away, int(1), int(-1))]);
    // The smallest subnormal is bit pattern 1, with the sign bit set toward negative y.
    const negativeTiny = width === 64 ? int(-(2n ** 63n) + 1n) : int(-(2 ** (width - 1)) + 1);
    const fromZero = pick(ctx.op("Greater", [y, zero]), int(1), negativeTiny);
    const quietNan = width === 64 ? int(0x7ff8000000000000n) : int((2 ** f.exponentBits - 1) * 2 ** f.mantissaBits + 2 ** (f.mantissaBits - 1));
    const nan = ctx.op("Or", [ctx.op("IsNaN", [x]), ctx.op("IsNaN", [y])]);
    const bits = pick(nan, quietNan, pick(ctx.op("Equal", [x, y]), floatToBits(ctx, y, s), pick(ctx.op("Equal", [x, zero]), fromZero, stepped)));
    return bitsToFloat(ctx, bits, dtype);
  },
};
