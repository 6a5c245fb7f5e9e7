/**
 * jax.lax.special functions as ONNX arithmetic, in the input's float dtype (half types in
 * float32), from published approximations:
 *
 * - erf_inv: M. Giles, "Approximating the erfinv function" (GPU Computing Gems Jade, 2011), the
 *   single-precision polynomials in w = -log((1 - x)(1 + x)), split at w = 5; +-1 give +-inf.
 * - lgamma: the Lanczos approximation (C. Lanczos, SIAM J. Numer. Anal. B 1, 1964) with g = 7 and
 *   the 9 coefficients of P. Godfrey's table, for x >= 1/2:
 *     lgamma(x) = log(sqrt(2 pi)) + (z + 1/2) log(t) - t + log(A(z)),  z = x - 1, t = z + g + 1/2,
 *     A(z) = c0 + sum_i c_i / (z + i);
 *   below 1/2 by reflection, lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x).
 * - digamma: the derivative of the same formula, psi(x) = log(t) - g / t + A'(z) / A(z), with
 *   reflection psi(x) = psi(1 - x) - pi / tan(pi x); NaN at the poles (non-positive integers).
 */
import { isFloat, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { FloatArith } from "../shared/float_arith";
import { cast } from "./kernel_dtypes";

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export type Unary = (ctx: LoweringContext, x: Value) => Value;

const ERFINV_CENTRAL = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941];
const ERFINV_TAIL = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682];

const erfInv: Unary = (ctx, x) => {
  const a = new FloatArith(ctx, x.type.dtype);
  const w = ctx.op("Neg", [a.log(a.mul(a.sub(a.k(1), x), a.add(a.k(1), x)))]);
  const central = a.horner(a.sub(w, a.k(2.5)), ERFINV_CENTRAL);
  const tail = a.horner(a.sub(ctx.op("Sqrt", [w]), a.k(3)), ERFINV_TAIL);
  const p = a.where(a.less(w, a.k(5)), central, tail);
  const edge = ctx.op("Equal", [ctx.op("Abs", [x]), a.k(1)]);
  return a.where(edge, a.mul(x, a.k(Infinity)), a.mul(p, x));
};

/**
 * x minus its nearest integer (exact in floating point): sin(pi x) and tan(pi x) up to sign and
 * period, without the rounding of pi * x for large |x| that would blur the poles.
 */
function nearestOffset(ctx: LoweringContext, x: Value): Value {
  return ctx.op("Sub", [x, ctx.op("Round", [x])]);
}

/** A(z) and A'(z) of the Lanczos series. */
function lanczosSeries(a: FloatArith, z: Value): [Value, Value] {
  let sum = a.k(LANCZOS[0]);
  let derivative = a.k(0);
  LANCZOS.slice(1).forEach((c, i) => {
    const d = a.add(z, a.k(i + 1));
    sum = a.add(sum, a.div(a.k(c), d));
    derivative = a.sub(derivative, a.div(a.k(c), a.mul(d, d)));
  });
  return [sum, derivative];
}

/** lgamma for x >= 1/2 (other lanes give finite garbage the caller replaces). */
function lgammaRight(a: FloatArith, x: Value): Value {
  const z = a.sub(x, a.k(1));
  const t = a.add(z, a.k(LANCZOS_G + 0.5));
  const [series] = lanczosSeries(a, z);
  return a.add(a.sub(a.add(a.k(0.5 * Math.log(2 * Math.PI)), a.mul(a.add(z, a.k(0.5)), a.log(t))), t), a.log(series));
}

export const lgamma: Unary = (ctx, x) => {
  const a = new FloatArith(ctx, x.type.dtype);
  const reflect = a.less(x, a.k(0.5));
  const right = lgammaRight(a, a.where(reflect, a.sub(a.k(1), x), x));
  const sinPi = ctx.op("Abs", [ctx.op("Sin", [a.mul(a.k(Math.PI), nearestOffset(ctx, x))])]);
  const reflected = a.sub(a.log(a.div(a.k(Math.PI), sinPi)), right);
  const value = a.where(reflect, reflected, right);
  // Poles (non-positive integers) are +inf; so is +inf itself (the series gives NaN there).
  const pole = ctx.op("And", [ctx.op("Equal", [ctx.op("Floor", [x]), x]), ctx.op("LessOrEqual", [x, a.k(0)])]);
  const infinite = ctx.op("Or", [pole, ctx.op("IsInf", [x])]);
  return a.where(infinite, a.k(Infinity), value);
};

export const digamma: Unary = (ctx, x) => {
  const a = new FloatArith(ctx, x.type.dtype);
  const reflect = a.less(x, a.k(0.5));
  const y = a.where(reflect, a.sub(a.k(1), x), x);
  const z = a.sub(y, a.k(1));
  const t = a.add(z, a.k(LANCZOS_G + 0.5));
  const [series, derivative] = lanczosSeries(a, z);
  const right = a.add(a.sub(a.log(t), a.div(a.k(LANCZOS_G), t)), a.div(derivative, series));
  // pi / tan(pi r) as pi cos / sin: onnxruntime has no float64 Tan kernel.
  const angle = a.mul(a.k(Math.PI), nearestOffset(ctx, x));
  const reflected = a.sub(right, a.div(a.mul(a.k(Math.PI), ctx.op("Cos", [angle])), ctx.op("Sin", [angle])));
  const value = a.where(reflect, reflected, right);
  const pole = ctx.op("And", [ctx.op("Equal", [ctx.op("Floor", [x]), x]), ctx.op("LessOrEqual", [x, a.k(0)])]);
  return a.where(pole, a.k(NaN), a.where(ctx.op("Equal", [x, a.k(Infinity)]), a.k(Infinity), value));
};

/**
 * A rule for a float function of the eqn's inputs, computed in float32 for half types (JAX's own
 * implementations upcast them too) and in the input dtype otherwise. Inputs are broadcast to the
 * result's shape first: jnp passes scalar literals (`igamma 2.0:f32[] x`).
 */
export function specialFunctionRule(primitive: string, onnxOps: string[], fn: (ctx: LoweringContext, inputs: Value[]) => Value): LoweringRule {
  return {
    primitive,
    onnxOps,
    lower(ctx) {
      const out = ctx.outType();
      if (!isFloat(out.dtype)) ctx.fail(`${primitive} of ${out.dtype}: JAX defines it for floats only`);
      const wide = out.dtype === "float64" ? "float64" : "float32";
      const inputs = ctx.inputs().map((x) => {
        const same = x.type.shape.length === out.shape.length && x.type.shape.every((d, i) => d === out.shape[i]);
        const full = same ? x : ctx.op("Expand", [x, ctx.shape(out.shape)], {}, { types: [{ dtype: x.type.dtype, shape: out.shape }] });
        return cast(ctx, full, wide);
      });
      return cast(ctx, fn(ctx, inputs), out.dtype);
    },
  };
}

const special = (primitive: string, fn: Unary, onnxOps: string[]): LoweringRule => specialFunctionRule(primitive, onnxOps, (ctx, [x]) => fn(ctx, x));

export const SPECIAL_RULES: LoweringRule[] = [
  special("erf_inv", erfInv, ["Log", "Sqrt", "Mul", "Add", "Where"]),
  special("lgamma", lgamma, ["Log", "Sin", "Div", "Add", "Where", "Floor"]),
  special("digamma", digamma, ["Log", "Sin", "Cos", "Div", "Add", "Where", "Floor"]),
];
