/**
 * Elementwise primitives as table rows: JAX guarantees matching dtypes and broadcast-free
 * shapes (operands already have the result's shape or are scalars), so most map to one ONNX op.
 */
import { isInteger, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { signBit, withSign } from "./float_bits";

type Emit = (ctx: LoweringContext, ins: Value[]) => Value;

const row = (primitive: string, onnxOps: string[], emit: Emit): LoweringRule => ({
  primitive,
  onnxOps,
  lower: (ctx) => emit(ctx, ctx.inputs()),
});

/** One ONNX op with the primitive's inputs, same arity. */
const direct = (primitive: string, op: string): LoweringRule => row(primitive, [op], (ctx, ins) => ctx.op(op, ins));

/** Boolean inputs use the logical op, integers the bitwise one (lax.and_/or_/xor/not). */
const logical = (primitive: string, boolOp: string, bitOp: string): LoweringRule =>
  row(primitive, [boolOp, bitOp], (ctx, ins) => ctx.op(ins[0].type.dtype === "bool" ? boolOp : bitOp, ins));

const one = (ctx: LoweringContext, like: Value): Value => ctx.scalar(1, like.type.dtype);

export const ELEMENTWISE_RULES: LoweringRule[] = [
  direct("add", "Add"),
  direct("sub", "Sub"),
  direct("mul", "Mul"),
  // Max and Min propagate NaN (as lax.max/min do) in onnxruntime; (u)int16 computes in int32.
  row("max", ["Max"], (ctx, ins) => ctx.op("Max", ins)),
  row("min", ["Min"], (ctx, ins) => ctx.op("Min", ins)),
  // lax.clamp(lo, x, hi) = min(max(x, lo), hi); lo and hi may be scalars.
  row("clamp", ["Max", "Min"], (ctx, [lo, x, hi]) => ctx.op("Min", [ctx.op("Max", [x, lo]), hi])),
  // Automatic differentiation's accumulation: an add.
  direct("add_any", "Add"),
  direct("neg", "Neg"),
  direct("exp", "Exp"),
  direct("log", "Log"),
  direct("tanh", "Tanh"),
  direct("logistic", "Sigmoid"),
  direct("sqrt", "Sqrt"),
  direct("abs", "Abs"),
  direct("sign", "Sign"),
  direct("erf", "Erf"),
  direct("sin", "Sin"),
  direct("cos", "Cos"),
  direct("tan", "Tan"),
  direct("asin", "Asin"),
  direct("acos", "Acos"),
  direct("atan", "Atan"),
  direct("sinh", "Sinh"),
  direct("cosh", "Cosh"),
  direct("asinh", "Asinh"),
  direct("acosh", "Acosh"),
  direct("atanh", "Atanh"),
  direct("floor", "Floor"),
  direct("ceil", "Ceil"),
  direct("eq", "Equal"),
  direct("lt", "Less"),
  direct("le", "LessOrEqual"),
  direct("gt", "Greater"),
  direct("ge", "GreaterOrEqual"),
  // Finite means neither inf nor NaN.
  row("is_finite", ["IsInf", "IsNaN", "Or", "Not"], (ctx, [x]) => ctx.op("Not", [ctx.op("Or", [ctx.op("IsInf", [x]), ctx.op("IsNaN", [x])])])),
  logical("and", "And", "BitwiseAnd"),
  logical("or", "Or", "BitwiseOr"),
  logical("xor", "Xor", "BitwiseXor"),
  logical("not", "Not", "BitwiseNot"),
  row("ne", ["Equal", "Not"], (ctx, [a, b]) => ctx.op("Not", [ctx.op("Equal", [a, b])])),
  // lax.div truncates integers toward zero, as ONNX Div does.
  direct("div", "Div"),
  // lax.rem has the sign of the dividend: C fmod, which ONNX Mod gives with fmod=1.
  row("rem", ["Mod"], (ctx, ins) => ctx.op("Mod", ins, { fmod: 1 })),
  row("pow", ["Pow"], (ctx, ins) => ctx.op("Pow", ins)),
  row("rsqrt", ["Sqrt", "Reciprocal"], (ctx, [x]) => ctx.op("Reciprocal", [ctx.op("Sqrt", [x])])),
  row("erfc", ["Erf", "Sub"], (ctx, [x]) => ctx.op("Sub", [one(ctx, x), ctx.op("Erf", [x])])),
  row("square", ["Mul"], (ctx, [x]) => ctx.op("Mul", [x, x])),
  row("exp2", ["Pow"], (ctx, [x]) => ctx.op("Pow", [ctx.scalar(2, x.type.dtype), x])),
  row("log1p", ["Add", "Log"], (ctx, [x]) => ctx.op("Log", [ctx.op("Add", [x, one(ctx, x)])])),
  // cbrt: |x| ** (1/3) with x's sign, refined by one Newton step y -= (y - a / y**2) / 3 (1/3 is
  // inexact in binary; this form cannot overflow); zeros, infinities and NaN keep the Pow result.
  row("cbrt", ["Pow", "Abs", "Mul", "Sub", "Div", "Where", "IsInf"], (ctx, [x]) => {
    const k = (v: number): Value => ctx.scalar(v, x.type.dtype);
    const a = ctx.op("Abs", [x]);
    const y = ctx.op("Pow", [a, k(1 / 3)]);
    const refined = ctx.op("Sub", [y, ctx.op("Div", [ctx.op("Sub", [y, ctx.op("Div", [a, ctx.op("Mul", [y, y])])]), k(3)])]);
    const keep = ctx.op("Or", [ctx.op("Equal", [a, k(0)]), ctx.op("IsInf", [a])]);
    return withSign(ctx, ctx.op("Where", [keep, y, refined]), signBit(ctx, x));
  }),
  row("expm1", ["Exp", "Sub"], (ctx, [x]) => ctx.op("Sub", [ctx.op("Exp", [x]), one(ctx, x)])),
  row("copy", [], (_ctx, [x]) => x),
  // jax.device_put is variadic (one output per operand); placement means nothing in ONNX.
  { primitive: "device_put", onnxOps: [], lower: (ctx) => ctx.inputs() },
  row("stop_gradient", [], (_ctx, [x]) => x),
  // lax.optimization_barrier is variadic: every operand passes through unchanged.
  { primitive: "optimization_barrier", onnxOps: [], lower: (ctx) => ctx.inputs() },
];

/** x ** y for a static integer y (lax.integer_pow), by repeated squaring as XLA does. */
export const integerPowRule: LoweringRule = {
  primitive: "integer_pow",
  onnxOps: ["Mul", "Reciprocal"],
  lower(ctx) {
    const x = ctx.input(0);
    const y = ctx.params.int("y");
    if (y === 0) return ctx.op("Expand", [ctx.scalar(1, x.type.dtype), ctx.shape(x.type.shape)]);
    let result: Value | null = null;
    let base = x;
    for (let n = Math.abs(y); n > 0; n >>= 1) {
      if (n & 1) result = result ? ctx.op("Mul", [result, base]) : base;
      if (n > 1) base = ctx.op("Mul", [base, base]);
    }
    if (y < 0) return isInteger(x.type.dtype) ? ctx.fail("negative integer_pow of an integer") : ctx.op("Reciprocal", [result!]);
    return result!;
  },
};

/** lax.round: rounding_method 0 rounds half away from zero, 1 half to even (ONNX Round). */
export const roundRule: LoweringRule = {
  primitive: "round",
  onnxOps: ["Round", "Abs", "Floor", "Sub", "GreaterOrEqual", "Add", "Where", "Sign", "Mul"],
  lower(ctx) {
    const x = ctx.input(0);
    const method = ctx.params.has("rounding_method") ? ctx.params.get("rounding_method") : 0;
    const toEven = typeof method === "object" && method !== null && "name" in method ? method.name === "TO_NEAREST_EVEN" : method === 1;
    if (toEven) return ctx.op("Round", [x]);
    // floor(|x| + 0.5) is wrong in floating point (0.49999997 + 0.5 rounds up to 1; odd integers
    // past 2**23 round to even), so compare the exact fraction |x| - floor(|x|) with 0.5 instead.
    const a = ctx.op("Abs", [x]);
    const f = ctx.op("Floor", [a]);
    const up = ctx.op("GreaterOrEqual", [ctx.op("Sub", [a, f]), ctx.scalar(0.5, x.type.dtype)]);
    return ctx.op("Mul", [ctx.op("Sign", [x]), ctx.op("Where", [up, ctx.op("Add", [f, one(ctx, x)]), f])]);
  },
};

/** lax.select_n(which, *cases): cases[which]; a bool `which` picks between two cases. */
export const selectNRule: LoweringRule = {
  primitive: "select_n",
  onnxOps: ["Where", "Equal", "Cast"],
  lower(ctx) {
    const [which, ...cases] = ctx.inputs();
    if (cases.length === 1) return cases[0];
    // Where has no kernel for some dtypes (bool: microsoft/onnxruntime#24127): ctx.op casts around them (docs/kernels.md).
    if (which.type.dtype === "bool") return ctx.op("Where", [which, cases[1], cases[0]]);
    let out = cases[cases.length - 1];
    for (let i = cases.length - 2; i >= 0; i--) {
      out = ctx.op("Where", [ctx.op("Equal", [which, ctx.scalar(i, which.type.dtype)]), cases[i], out]);
    }
    return out;
  },
};

/**
 * Primitives that act on each element alone, so a jaxpr of them on scalars runs unchanged on
 * tensors (a scatter's update function: scatter.ts, src/core/lower/lift-scalar-jaxpr.ts).
 */
export const ELEMENTWISE_PRIMITIVES: ReadonlySet<string> = new Set([
  ...[...ELEMENTWISE_RULES, integerPowRule, roundRule, selectNRule].map((r) => r.primitive),
  "convert_element_type", "atan2", "nextafter", "erf_inv", "lgamma", "digamma",
]);
