/**
 * The IEEE-754 bit pattern of a float as an integer and back (lax.bitcast_convert_type, and the
 * helpers total-order comparisons and nextafter build on).
 *
 * From opset 26 this is ONNX BitCast. Below it ONNX has no reinterpreting op, so the fields are
 * computed with exact arithmetic: the exponent from a Log estimate corrected against a table of
 * powers of two (Log is within an ulp, so the estimate is off by at most one), the mantissa by
 * dividing by that power of two (exact) and scaling to an integer (exact), subnormals by one
 * exact scaling. Every finite value, both zeros and both infinities round-trip bit for bit; a
 * NaN's sign and payload are not observable through ONNX arithmetic, so below opset 26 every NaN
 * becomes the canonical quiet NaN (0x7fc00000 for float32), which is what JAX's own NaNs are.
 * Half types are computed in float32, float64 in float64; bit fields in int64.
 */
import { dtypeByteSize, isFloat, onnxTypeCode, type DType, type LoweringContext, type Value } from "../../src/core";
import { cast, opWithKernel } from "./kernel_dtypes";

interface FloatFormat {
  readonly exponentBits: number;
  readonly mantissaBits: number;
  /** The dtype arithmetic on the format's values is exact in. */
  readonly compute: DType;
}

const FORMATS: Partial<Record<DType, FloatFormat>> = {
  float16: { exponentBits: 5, mantissaBits: 10, compute: "float32" },
  bfloat16: { exponentBits: 8, mantissaBits: 7, compute: "float32" },
  float32: { exponentBits: 8, mantissaBits: 23, compute: "float32" },
  float64: { exponentBits: 11, mantissaBits: 52, compute: "float64" },
};

const UNSIGNED_OF_WIDTH: Record<number, DType> = { 8: "uint8", 16: "uint16", 32: "uint32", 64: "uint64" };
const SIGNED_OF_WIDTH: Record<number, DType> = { 8: "int8", 16: "int16", 32: "int32", 64: "int64" };

export const widthOf = (dtype: DType): number => 8 * dtypeByteSize(dtype);
export const unsignedOfWidth = (bits: number): DType => UNSIGNED_OF_WIDTH[bits];
export const signedOfWidth = (bits: number): DType => SIGNED_OF_WIDTH[bits];

export function floatFormat(ctx: LoweringContext, dtype: DType): FloatFormat {
  return FORMATS[dtype] ?? ctx.fail(`no IEEE bit layout known for ${dtype}`);
}

const useBitCast = (ctx: LoweringContext): boolean => ctx.opset >= 26;

function powersOfTwo(ctx: LoweringContext, from: number, to: number, dtype: DType): Value {
  const values: number[] = [];
  for (let e = from; e <= to; e++) values.push(2 ** e);
  return ctx.constant(values, dtype, [values.length]);
}

/**
 * |value| with the sign bit set where `negative`, by multiplying with -1 or 1: onnxruntime's Where
 * turns a -0 it picks from its first branch into +0 (both the CPU and the wasm build).
 */
export function withSign(ctx: LoweringContext, value: Value, negative: Value): Value {
  const dtype = value.type.dtype;
  return ctx.op("Mul", [value, ctx.op("Where", [negative, ctx.scalar(-1, dtype), ctx.scalar(1, dtype)])]);
}

/** True where x's sign bit is set: negative, or -0 (1 / -0 is -inf). False for NaN. */
export function signBit(ctx: LoweringContext, x: Value): Value {
  const zero = ctx.scalar(0, x.type.dtype);
  const negZero = ctx.op("And", [ctx.op("Equal", [x, zero]), ctx.op("Less", [ctx.op("Reciprocal", [x]), zero])]);
  return ctx.op("Or", [ctx.op("Less", [x, zero]), negZero]);
}

/** The bit pattern of float `x` as integer dtype `to` of the same width. */
export function floatToBits(ctx: LoweringContext, x: Value, to: DType): Value {
  const width = widthOf(x.type.dtype);
  if (widthOf(to) !== width) ctx.fail(`bit pattern of ${x.type.dtype} into ${to}: widths differ`);
  if (useBitCast(ctx)) return ctx.op("BitCast", [x], { to: onnxTypeCode(to) });
  const f = floatFormat(ctx, x.type.dtype);
  const c = f.compute;
  const M = f.mantissaBits;
  const bias = 2 ** (f.exponentBits - 1) - 1;
  const [emin, emax] = [1 - bias, bias];
  const k = (v: number): Value => ctx.scalar(v, c);
  const i64 = (v: number | bigint): Value => ctx.scalar(v, "int64");
  const xc = cast(ctx, x, c);
  const a = ctx.op("Abs", [xc]);
  const isNan = ctx.op("IsNaN", [xc]);
  const isInf = ctx.op("IsInf", [a]);
  const subnormal = ctx.op("Less", [a, k(2 ** emin)]);
  // Normal values: a = 2**e * (1 + mant / 2**M). Other lanes compute on 1.0 and are replaced below.
  const safe = ctx.op("Where", [ctx.op("Or", [ctx.op("Or", [subnormal, isInf]), isNan]), k(1), a]);
  const estimate = ctx.op("Floor", [ctx.op("Div", [ctx.op("Log", [safe]), k(Math.LN2)])]);
  const e0 = ctx.op("Cast", [ctx.op("Min", [ctx.op("Max", [estimate, k(emin)]), k(emax)])], { to: onnxTypeCode("int64") });
  const table = powersOfTwo(ctx, emin - 1, emax + 1, c);
  const at = (e: Value): Value => ctx.op("Gather", [table, ctx.op("Sub", [e, i64(emin - 1)])], { axis: 0 });
  const down = cast(ctx, ctx.op("Less", [safe, at(e0)]), "int64");
  const up = cast(ctx, ctx.op("GreaterOrEqual", [safe, at(ctx.op("Add", [e0, i64(1)]))]), "int64");
  const e = ctx.op("Add", [ctx.op("Sub", [e0, down]), up]);
  const fraction = ctx.op("Mul", [ctx.op("Sub", [ctx.op("Div", [safe, at(e)]), k(1)]), k(2 ** M)]);
  const normalBits = ctx.op("Add", [ctx.op("Mul", [ctx.op("Add", [e, i64(bias)]), i64(2 ** M)]), cast(ctx, fraction, "int64")]);
  // Subnormals: a = mant * 2**(emin - M); two exact scalings keep every factor a normal number.
  const subnormalBits = cast(ctx, ctx.op("Mul", [ctx.op("Mul", [a, k(2 ** M)]), k(2 ** -emin)]), "int64");
  const infBits = (2 ** f.exponentBits - 1) * 2 ** M;
  const pick = (cond: Value, yes: Value, no: Value): Value => ctx.op("Where", [cond, yes, no]);
  const magnitude = pick(isNan, i64(infBits + 2 ** (M - 1)), pick(isInf, i64(infBits), pick(subnormal, subnormalBits, normalBits)));
  // The sign bit: 2**(width-1), which for 64 bits is int64's own sign bit.
  const sign = width === 64 ? i64(-(2n ** 63n)) : i64(2 ** (width - 1));
  const bits = pick(signBit(ctx, xc), ctx.op("BitwiseOr", [magnitude, sign]), magnitude);
  // int64 -> a narrower integer keeps the low bits (two's complement) in onnxruntime.
  return cast(ctx, bits, to);
}

/** The float of dtype `to` whose bit pattern is integer `bits` (same width). */
export function bitsToFloat(ctx: LoweringContext, bits: Value, to: DType): Value {
  const width = widthOf(to);
  if (widthOf(bits.type.dtype) !== width) ctx.fail(`${bits.type.dtype} bits as ${to}: widths differ`);
  if (!isFloat(to)) ctx.fail(`bitsToFloat into ${to}`);
  if (useBitCast(ctx)) return ctx.op("BitCast", [bits], { to: onnxTypeCode(to) });
  const f = floatFormat(ctx, to);
  const c = f.compute;
  const M = f.mantissaBits;
  const bias = 2 ** (f.exponentBits - 1) - 1;
  const k = (v: number): Value => ctx.scalar(v, c);
  const i64 = (v: number | bigint): Value => ctx.scalar(v, "int64");
  // As int64: [0, 2**width) for width < 64; for 64 bits the sign is int64's own.
  const v = cast(ctx, cast(ctx, bits, unsignedOfWidth(width)), "int64");
  const negative = width === 64 ? ctx.op("Less", [v, i64(0)]) : ctx.op("GreaterOrEqual", [v, i64(2 ** (width - 1))]);
  const magnitude = ctx.op("BitwiseAnd", [v, width === 64 ? i64(2n ** 63n - 1n) : i64(2 ** (width - 1) - 1)]);
  const biased = ctx.op("Div", [magnitude, i64(2 ** M)]);
  const mant = ctx.op("BitwiseAnd", [magnitude, width === 64 ? i64(2n ** 52n - 1n) : i64(2 ** M - 1)]);
  const mantF = cast(ctx, mant, c);
  const scaled = ctx.op("Mul", [mantF, k(2 ** -M)]);
  const exponents = powersOfTwo(ctx, -bias, bias + 1, c);
  const normal = ctx.op("Mul", [ctx.op("Add", [scaled, k(1)]), ctx.op("Gather", [exponents, biased], { axis: 0 })]);
  const subnormal = ctx.op("Mul", [scaled, k(2 ** (1 - bias))]);
  const maxBiased = 2 ** f.exponentBits - 1;
  const special = ctx.op("Where", [ctx.op("Equal", [mant, i64(0)]), k(Infinity), k(NaN)]);
  const pick = (cond: Value, yes: Value, no: Value): Value => ctx.op("Where", [cond, yes, no]);
  const value = pick(ctx.op("Equal", [biased, i64(0)]), subnormal, pick(ctx.op("Equal", [biased, i64(maxBiased)]), special, normal));
  return cast(ctx, withSign(ctx, value, negative), to);
}

/**
 * A signed integer of x's width ordered as IEEE totalOrder orders x: -NaN < -inf < ... < -0 <
 * +0 < ... < inf < NaN. Negative patterns have their magnitude bits flipped (XLA's key).
 */
export function totalOrderKey(ctx: LoweringContext, x: Value): Value {
  const width = widthOf(x.type.dtype);
  const s = signedOfWidth(width);
  const bits = floatToBits(ctx, x, s);
  const flipped = ctx.op("BitwiseXor", [bits, ctx.scalar(width === 64 ? 2n ** 63n - 1n : 2 ** (width - 1) - 1, s)]);
  return opWithKernel(ctx, "Where", [ctx.op("Less", [bits, ctx.scalar(0, s)]), flipped, bits]);
}
