/**
 * lax.reduce_precision(x, exponent_bits, mantissa_bits): x rounded to the float format with that
 * many bits, kept in x's dtype (XLA's ReducePrecision): the mantissa rounds to nearest even on the
 * bit pattern (the carry may step the exponent, up to infinity), then exponents beyond the
 * format's range become +-inf and those at or below its smallest normal exponent +-0 (the
 * reduced format has no subnormals); NaN stays NaN when mantissa bits remain.
 * Bits come from float_bits.ts and are manipulated as int64 values in [0, 2**width).
 */
import { type LoweringRule, type Value } from "../../src/core";
import { bitsToFloat, floatFormat, floatToBits, unsignedOfWidth, widthOf } from "./float_bits";
import { cast } from "./kernel_dtypes";

export const reducePrecisionRule: LoweringRule = {
  primitive: "reduce_precision",
  onnxOps: ["BitCast", "Add", "BitwiseAnd", "Div", "Greater", "LessOrEqual", "Where", "IsNaN"],
  lower(ctx) {
    const x = ctx.input(0);
    const exponentBits = ctx.params.int("exponent_bits");
    const mantissaBits = ctx.params.int("mantissa_bits");
    const f = floatFormat(ctx, x.type.dtype);
    const width = widthOf(x.type.dtype);
    if (width === 64) ctx.fail("reduce_precision of float64 is not supported yet (its bits need uint64 arithmetic)");
    const u = unsignedOfWidth(width);
    const i64 = (v: number): Value => ctx.scalar(v, "int64");
    const and = (a: Value, m: number): Value => ctx.op("BitwiseAnd", [a, i64(m)]);
    let bits = cast(ctx, floatToBits(ctx, x, u), "int64");
    if (mantissaBits < f.mantissaBits) {
      const dropped = f.mantissaBits - mantissaBits;
      const lastKept = ctx.op("Div", [and(bits, 2 ** dropped), i64(2 ** dropped)]);
      const bias = ctx.op("Add", [lastKept, i64(2 ** (dropped - 1) - 1)]);
      // Clearing the low `dropped` bits: keep everything at or above bit `dropped`.
      bits = and(ctx.op("Add", [bits, bias]), 2 ** width - 2 ** dropped);
    }
    if (exponentBits < f.exponentBits) {
      const bias = 2 ** (f.exponentBits - 1) - 1;
      const reducedBias = 2 ** (exponentBits - 1) - 1;
      const exponentMask = (2 ** f.exponentBits - 1) * 2 ** f.mantissaBits;
      const exponent = and(bits, exponentMask);
      const signedZero = and(bits, 2 ** (width - 1));
      const signedInf = ctx.op("BitwiseOr", [signedZero, i64(exponentMask)]);
      const overflows = ctx.op("Greater", [exponent, i64((bias + reducedBias) * 2 ** f.mantissaBits)]);
      const underflows = ctx.op("LessOrEqual", [exponent, i64((bias - reducedBias) * 2 ** f.mantissaBits)]);
      bits = ctx.op("Where", [overflows, signedInf, ctx.op("Where", [underflows, signedZero, bits])]);
    }
    const result = bitsToFloat(ctx, cast(ctx, bits, u), x.type.dtype);
    return mantissaBits > 0 ? ctx.op("Where", [ctx.op("IsNaN", [x]), x, result]) : result;
  },
};
