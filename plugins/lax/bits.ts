/**
 * Integer bit operations: lax.shift_left, shift_right_logical, shift_right_arithmetic,
 * population_count and clz.
 *
 * ONNX BitShift takes unsigned integers only (signed ones from opset 28, which onnxruntime-web
 * 1.30 cannot load), so signed operands are shifted as their same-width unsigned bit pattern
 * (Cast between same-width integers keeps the bits in onnxruntime). XLA's semantics for shift
 * amounts outside [0, bits) are explicit here instead of left to the kernel: the amount is read
 * as unsigned, and an amount >= the bit width gives 0 (left, logical) or the sign fill
 * (arithmetic).
 */
import { dtypeByteSize, isSignedInt, isUnsignedInt, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { cast, opWithKernel } from "./kernel_dtypes";

const UNSIGNED: Partial<Record<DType, DType>> = { int8: "uint8", int16: "uint16", int32: "uint32", int64: "uint64" };
const SIGNED: Record<string, DType> = { uint8: "int8", uint16: "int16", uint32: "int32", uint64: "int64" };

export const bitWidth = (dtype: DType): number => 8 * dtypeByteSize(dtype);

/** The unsigned dtype with `dtype`'s width (itself when unsigned). */
export function unsignedOf(ctx: LoweringContext, dtype: DType): DType {
  if (isUnsignedInt(dtype)) return dtype;
  const u = UNSIGNED[dtype];
  return u ?? ctx.fail(`bit operations take integers, got ${dtype}`);
}

function shiftBy(ctx: LoweringContext, x: Value, amount: Value, direction: "LEFT" | "RIGHT"): Value {
  const u = unsignedOf(ctx, x.type.dtype);
  const xu = cast(ctx, x, u);
  const su = cast(ctx, amount, u);
  const shifted = opWithKernel(ctx, "BitShift", [xu, su], { direction });
  const tooFar = ctx.op("GreaterOrEqual", [su, ctx.scalar(bitWidth(u), u)]);
  return cast(ctx, opWithKernel(ctx, "Where", [tooFar, ctx.scalar(0, u), shifted]), x.type.dtype);
}

const shiftLeft: LoweringRule = {
  primitive: "shift_left",
  onnxOps: ["BitShift", "Cast", "GreaterOrEqual", "Where"],
  lower: (ctx) => shiftBy(ctx, ctx.input(0), ctx.input(1), "LEFT"),
};

const shiftRightLogical: LoweringRule = {
  primitive: "shift_right_logical",
  onnxOps: ["BitShift", "Cast", "GreaterOrEqual", "Where"],
  lower: (ctx) => shiftBy(ctx, ctx.input(0), ctx.input(1), "RIGHT"),
};

/**
 * Arithmetic right shift: the logical shift of x, or of ~x complemented back when the top bit is
 * set (so the vacated bits fill with ones); amounts past the width clamp to width - 1, which is
 * the sign fill XLA gives. XLA fills from the top bit for unsigned x too: they shift as the
 * signed integer with the same bits.
 */
const shiftRightArithmetic: LoweringRule = {
  primitive: "shift_right_arithmetic",
  onnxOps: ["BitShift", "BitwiseNot", "Cast", "Min", "Less", "Where"],
  lower(ctx) {
    const [input, amount] = ctx.inputs();
    const u = unsignedOf(ctx, input.type.dtype);
    const dtype = isSignedInt(input.type.dtype) ? input.type.dtype : SIGNED[u];
    const x = cast(ctx, input, dtype);
    const su = opWithKernel(ctx, "Min", [cast(ctx, amount, u), ctx.scalar(bitWidth(u) - 1, u)]);
    const negative = ctx.op("Less", [x, ctx.scalar(0, dtype)]);
    const magnitude = cast(ctx, opWithKernel(ctx, "Where", [negative, ctx.op("BitwiseNot", [x]), x]), u);
    const shifted = cast(ctx, opWithKernel(ctx, "BitShift", [magnitude, su], { direction: "RIGHT" }), dtype);
    return cast(ctx, opWithKernel(ctx, "Where", [negative, ctx.op("BitwiseNot", [shifted]), shifted]), input.type.dtype);
  },
};

/**
 * The bits of integer x as int64 in [0, 2**bits) (bits <= 32), for arithmetic without overflow.
 * 64-bit operands are split into two 32-bit halves by the callers.
 */
function asInt64Bits(ctx: LoweringContext, x: Value): Value {
  const u = unsignedOf(ctx, x.type.dtype);
  return cast(ctx, cast(ctx, x, u), "int64");
}

function halves64(ctx: LoweringContext, x: Value): [Value, Value] {
  // uint64 -> (high, low) 32-bit halves as int64 values in [0, 2**32).
  const u = cast(ctx, x, "uint64");
  const low = cast(ctx, ctx.op("BitwiseAnd", [u, ctx.scalar(0xffffffff, "uint64")]), "int64");
  const high = cast(ctx, ctx.op("BitShift", [u, ctx.scalar(32, "uint64")], { direction: "RIGHT" }), "int64");
  return [high, low];
}

/** Population count of int64 values in [0, 2**32), by the SWAR bit-sum (Hacker's Delight 5-1). */
function popcount32(ctx: LoweringContext, v: Value): Value {
  const k = (n: number): Value => ctx.scalar(n, "int64");
  const and = (a: Value, m: number): Value => ctx.op("BitwiseAnd", [a, k(m)]);
  const shr = (a: Value, n: number): Value => ctx.op("Div", [a, k(2 ** n)]);
  let x = ctx.op("Sub", [v, and(shr(v, 1), 0x55555555)]);
  x = ctx.op("Add", [and(x, 0x33333333), and(shr(x, 2), 0x33333333)]);
  x = and(ctx.op("Add", [x, shr(x, 4)]), 0x0f0f0f0f);
  // Byte sums gathered into the top byte; x < 2**32, so the product stays below 2**57.
  return shr(and(ctx.op("Mul", [x, k(0x01010101)]), 0xffffffff), 24);
}

const populationCount: LoweringRule = {
  primitive: "population_count",
  onnxOps: ["BitwiseAnd", "Div", "Sub", "Add", "Mul", "Cast"],
  lower(ctx) {
    const x = ctx.input(0);
    if (bitWidth(x.type.dtype) === 64) {
      const [high, low] = halves64(ctx, x);
      return cast(ctx, ctx.op("Add", [popcount32(ctx, high), popcount32(ctx, low)]), x.type.dtype);
    }
    return cast(ctx, popcount32(ctx, asInt64Bits(ctx, x)), x.type.dtype);
  },
};

/** Leading zeros of int64 values in [0, 2**width), by binary search over halving spans. */
function clzOf(ctx: LoweringContext, v: Value, width: number): Value {
  let count = ctx.op("Mul", [v, ctx.scalar(0, "int64")]);
  let x = v;
  for (let span = width / 2; span >= 1; span /= 2) {
    // Fewer than `span` significant bits left in the top half: count them and shift up.
    const small = ctx.op("Less", [x, ctx.scalar(2 ** (width - span), "int64")]);
    count = ctx.op("Add", [count, ctx.op("Mul", [cast(ctx, small, "int64"), ctx.scalar(span, "int64")])]);
    x = ctx.op("Where", [small, ctx.op("Mul", [x, ctx.scalar(2 ** span, "int64")]), x]);
  }
  // One more when nothing is left: clz(0) is the full width.
  return ctx.op("Add", [count, cast(ctx, ctx.op("Equal", [x, ctx.scalar(0, "int64")]), "int64")]);
}

const clz: LoweringRule = {
  primitive: "clz",
  onnxOps: ["Less", "Mul", "Add", "Where", "Equal", "Cast"],
  lower(ctx) {
    const x = ctx.input(0);
    const width = bitWidth(x.type.dtype);
    if (width === 64) {
      const [high, low] = halves64(ctx, x);
      const highZeros = clzOf(ctx, high, 32);
      const full = ctx.op("Equal", [high, ctx.scalar(0, "int64")]);
      const total = ctx.op("Where", [full, ctx.op("Add", [highZeros, clzOf(ctx, low, 32)]), highZeros]);
      return cast(ctx, total, x.type.dtype);
    }
    return cast(ctx, clzOf(ctx, asInt64Bits(ctx, x), width), x.type.dtype);
  },
};

export const BIT_RULES: LoweringRule[] = [shiftLeft, shiftRightLogical, shiftRightArithmetic, populationCount, clz];
