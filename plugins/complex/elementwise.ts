/**
 * Complex elementwise primitives as table rows (the registry's complex table, docs/complex.md).
 * Inputs arrive as [..., 2] pairs (real inputs as they are); each row splits them into parts,
 * computes with real ops (src/core/lower/complex-parts.ts) and packs the result. JAX gives
 * binary ops operands of one dtype and shape, or a scalar literal.
 */
import { ComplexMath, complexFunctions as f, componentDtype, isComplex, onnxTypeCode, type LoweringContext, type LoweringRule, type Parts, type Value } from "../../src/core";

/** The eqn's complex math in the parts' dtype (its first complex input's or output's). */
function mathOf(ctx: LoweringContext): ComplexMath {
  const avals = [...ctx.eqn.inputs.map((_, i) => ctx.inAval(i)), ...ctx.eqn.outputs.map((_, i) => ctx.outAval(i))];
  return new ComplexMath(ctx, componentDtype(avals.find((a) => isComplex(a.dtype))!.dtype));
}

/** Input i as parts: pairs are split, real values have no imaginary part. */
function partsOf(ctx: LoweringContext, m: ComplexMath, i: number): Parts {
  return isComplex(ctx.inAval(i).dtype) ? m.split(ctx.input(i)) : { re: ctx.input(i), im: null };
}

type PartsRule = (m: ComplexMath, ins: Parts[], ctx: LoweringContext) => Parts;

/** A row whose result is complex: parts in, parts out, packed. */
const complexRow = (primitive: string, onnxOps: string[], f: PartsRule): LoweringRule => ({
  primitive,
  onnxOps: ["Gather", "Unsqueeze", "Concat", ...onnxOps],
  lower(ctx) {
    const m = mathOf(ctx);
    return m.pack(f(m, ctx.inputs().map((_, i) => partsOf(ctx, m, i)), ctx));
  },
});

/** A row whose result is real (abs, real, imag, eq): parts in, one real value out. */
const realRow = (primitive: string, onnxOps: string[], f: (m: ComplexMath, ins: Parts[]) => Value): LoweringRule => ({
  primitive,
  onnxOps: ["Gather", ...onnxOps],
  lower(ctx) {
    const m = mathOf(ctx);
    return f(m, ctx.inputs().map((_, i) => partsOf(ctx, m, i)));
  },
});

/** Pairs add, subtract and negate as they are: ONNX broadcasting pairs a scalar's [2] with [..., 2]. */
const onPairs = (primitive: string, op: string): LoweringRule => ({ primitive, onnxOps: [op], lower: (ctx) => ctx.op(op, ctx.inputs()) });

const equal = (m: ComplexMath, [a, b]: Parts[]): Value => {
  const eqRe = m.eq(a.re, b.re);
  const eqIm = m.eq(a.im ?? m.zerosLike(a.re), b.im ?? m.zerosLike(b.re));
  return m.ctx.op("And", [eqRe, eqIm]);
};

/** z ** y for a static integer y by repeated squaring (as the real rule), 1 / z^-y for y < 0. */
const integerPow: PartsRule = (m, [z], ctx) => {
  const y = ctx.params.int("y");
  if (y === 0) return { re: m.add(m.zerosLike(z.re), m.c(1)), im: null };
  let result: Parts | null = null;
  let base = z;
  for (let n = Math.abs(y); n > 0; n >>= 1) {
    if (n & 1) result = result ? m.mulParts(result, base) : base;
    if (n > 1) base = m.mulParts(base, base);
  }
  return y < 0 ? m.divParts({ re: m.add(m.zerosLike(z.re), m.c(1)), im: null }, result!) : result!;
};

/** lax.convert_element_type to or from complex: real -> (x, 0), complex -> its real part (JAX drops the imaginary part), complex64 <-> complex128 casts the parts. */
const convertElementType: LoweringRule = {
  primitive: "convert_element_type",
  onnxOps: ["Cast", "Gather", "Unsqueeze", "Concat", "Expand"],
  lower(ctx) {
    const to = ctx.params.dtype("new_dtype");
    const from = ctx.inAval(0).dtype;
    const x = ctx.input(0);
    const castTo = (v: Value, dtype: typeof to): Value => (v.type.dtype === dtype ? v : ctx.op("Cast", [v], { to: onnxTypeCode(dtype) }));
    if (isComplex(from) && isComplex(to)) return castTo(x, componentDtype(to));
    const m = new ComplexMath(ctx, componentDtype(isComplex(to) ? to : from));
    if (isComplex(to)) return m.pack({ re: castTo(x, componentDtype(to)), im: null });
    if (to === "bool") return ctx.op("Not", [equal(m, [m.split(x), { re: m.c(0), im: null }])]);
    return castTo(m.split(x).re, to);
  },
};

export const COMPLEX_ELEMENTWISE_RULES: LoweringRule[] = [
  onPairs("add", "Add"),
  onPairs("sub", "Sub"),
  onPairs("neg", "Neg"),
  complexRow("complex", [], (_m, [re, im]) => ({ re: re.re, im: im.re })),
  realRow("real", [], (_m, [z]) => z.re),
  realRow("imag", ["Expand"], (m, [z]) => z.im ?? m.zerosLike(z.re)),
  // lax.conj of a real operand (input_dtype real) makes a complex value with zero imaginary part.
  complexRow("conj", ["Neg"], (m, [z]) => m.conj(z)),
  complexRow("mul", ["Mul", "Sub", "Add"], (m, [a, b]) => m.mulParts(a, b)),
  complexRow("div", ["Mul", "Add", "Sub", "Neg", "Div"], (m, [a, b]) => m.divParts(a, b)),
  realRow("abs", ["Abs", "Max", "Min", "Div", "Mul", "Add", "Sqrt", "Where", "IsInf"], (m, [z]) => m.abs(z)),
  complexRow("sign", ["Abs", "Max", "Min", "Div", "Sqrt", "Where", "Equal"], (m, [z]) => m.sign(z)),
  complexRow("exp", ["Exp", "Cos", "Sin", "Mul"], (m, [z]) => m.exp(z)),
  complexRow("log", ["Log", "Atan", "Div", "Where"], (m, [z]) => m.log(z)),
  complexRow("sqrt", ["Sqrt", "Div", "Where", "Abs"], (m, [z]) => m.sqrt(z)),
  // z ** w = exp(w log z), JAX's definition off the branch cut; 0 ** w is left to that formula.
  complexRow("pow", ["Exp", "Log", "Atan", "Cos", "Sin", "Mul"], (m, [z, w]) => m.exp(m.mulParts(w, m.log(z)))),
  complexRow("integer_pow", ["Mul", "Sub", "Add", "Div"], integerPow),
  complexRow("square", ["Mul", "Sub", "Add"], (m, [z]) => m.mulParts(z, z)),
  complexRow("rsqrt", ["Sqrt", "Reciprocal", "Atan", "Cos", "Sin", "Mul", "Where", "Abs"], (m, [z]) => f.rsqrt(m, z)),
  // Trigonometric and hyperbolic functions and their inverses (src/core/lower/complex-functions.ts).
  complexRow("sin", ["Sin", "Cos", "Sinh", "Cosh", "Mul"], (m, [z]) => f.sin(m, z)),
  complexRow("cos", ["Sin", "Cos", "Sinh", "Cosh", "Mul", "Neg"], (m, [z]) => f.cos(m, z)),
  complexRow("tan", ["Tan", "Sinh", "Sqrt", "Div", "Where", "Exp"], (m, [z]) => f.tan(m, z)),
  complexRow("sinh", ["Sin", "Cos", "Sinh", "Cosh", "Mul"], (m, [z]) => f.sinh(m, z)),
  complexRow("cosh", ["Sin", "Cos", "Sinh", "Cosh", "Mul"], (m, [z]) => f.cosh(m, z)),
  complexRow("tanh", ["Tan", "Sinh", "Sqrt", "Div", "Where", "Exp"], (m, [z]) => f.tanh(m, z)),
  complexRow("asin", ["Asin", "Atan", "Sqrt", "Log", "Div", "Where"], (m, [z]) => f.asin(m, z)),
  complexRow("acos", ["Acos", "Atan", "Sqrt", "Log", "Div", "Where"], (m, [z]) => f.acos(m, z)),
  complexRow("atan", ["Atan", "Log", "Div", "Where"], (m, [z]) => f.atan(m, z)),
  complexRow("asinh", ["Asin", "Atan", "Sqrt", "Log", "Div", "Where"], (m, [z]) => f.asinh(m, z)),
  complexRow("acosh", ["Acos", "Atan", "Sqrt", "Log", "Div", "Where"], (m, [z]) => f.acosh(m, z)),
  complexRow("atanh", ["Atan", "Log", "Div", "Where"], (m, [z]) => f.atanh(m, z)),
  complexRow("expm1", ["Exp", "Log", "Sin", "Cos", "Where"], (m, [z]) => f.expm1(m, z)),
  complexRow("log1p", ["Log", "Atan", "Div", "Where"], (m, [z]) => f.log1p(m, z)),
  realRow("eq", ["Equal", "And"], equal),
  realRow("ne", ["Equal", "And", "Not"], (m, ins) => m.ctx.op("Not", [equal(m, ins)])),
  convertElementType,
];
