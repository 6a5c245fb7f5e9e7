/**
 * jax.lax.special functions as ONNX arithmetic, in the input's float dtype (half types in
 * float32), from published approximations:
 *
 * - erf_inv: M. Giles, "Approximating the erfinv function" (GPU Computing Gems Jade, 2011), the
 *   single-precision polynomials in w = -log((1 - x)(1 + x)), split at w = 5; +-1 give +-inf.
 *   In float64 that estimate (1e-7 off, 0.1 off beyond float32's range, |x| > 1 - 1e-10) is
 *   refined by Halley's method on f(t) = erf(t) - |x| (t = |y|; f' = 2/sqrt(pi) e^(-t^2),
 *   f'' = -2 t f', so t <- t - f / (f' + t f)) in a Loop until the step is below 2 eps t
 *   (cubic convergence: 3 steps from the worst estimate). f is evaluated without cancellation:
 *   erf(t) - |x| from the series erf(t) = 2/sqrt(pi) e^(-t^2) sum_n 2^n t^(2n+1) / (2n+1)!!
 *   (all terms positive) where |x| < 1/2, else (1 - |x|) - erfc(t), with 1 - |x| exact
 *   (Sterbenz) and erfc(t) = 1 - erf(t) below t = 1.5 or the continued fraction
 *   erfc(t) = e^(-t^2) / sqrt(pi) / (t + (1/2) / (t + 1 / (t + (3/2) / (t + ...)))) (80 levels,
 *   1e-15 relative from t = 1.5 on) above.
 * - lgamma: the Lanczos approximation (C. Lanczos, SIAM J. Numer. Anal. B 1, 1964) with g = 7 and
 *   the 9 coefficients of P. Godfrey's table, for x >= 1/2:
 *     lgamma(x) = log(sqrt(2 pi)) + (z + 1/2) log(t) - t + log(A(z)),  z = x - 1, t = z + g + 1/2,
 *     A(z) = c0 + sum_i c_i / (z + i);
 *   below 1/2 by reflection, lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x).
 * - digamma: the derivative of the same formula, psi(x) = log(t) - g / t + A'(z) / A(z), with
 *   reflection psi(x) = psi(1 - x) - pi / tan(pi x); NaN at the poles (non-positive integers).
 */
import { isFloat, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { iterateElementwise } from "../shared/converge_loop";
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
  const w = ctx.op("Neg", [a.log(a.mul(a.sub(a.c(1), x), a.add(a.c(1), x)))]);
  const central = a.horner(a.sub(w, a.c(2.5)), ERFINV_CENTRAL);
  const tail = a.horner(a.sub(ctx.op("Sqrt", [w]), a.c(3)), ERFINV_TAIL);
  const p = a.where(a.lt(w, a.c(5)), central, tail);
  const edge = ctx.op("Equal", [ctx.op("Abs", [x]), a.c(1)]);
  const estimate = a.mul(p, x);
  const y = x.type.dtype === "float64" ? refineErfInv(ctx, x, estimate) : estimate;
  return a.where(edge, a.mul(x, a.c(Infinity)), y);
};

const ERF_SERIES_TERMS = 30;
const ERFC_FRACTION_LEVELS = 80;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf(t) for 0 <= t <= 1.5 by its positive series (30 terms: below 1e-17 relative at 1.5). */
function erfSeries(a: FloatArith, t: Value): Value {
  const twoT2 = a.mul(a.c(2), a.mul(t, t));
  let nested = a.c(1);
  for (let n = ERF_SERIES_TERMS; n >= 1; n--) nested = a.add(a.c(1), a.mul(a.div(twoT2, a.c(2 * n + 1)), nested));
  return a.mul(a.mul(a.c(TWO_OVER_SQRT_PI), a.exp(a.neg(a.mul(t, t)))), a.mul(t, nested));
}

/** erfc(t) for t >= 1.5 by its continued fraction. */
function erfcFraction(a: FloatArith, t: Value): Value {
  let f = t;
  for (let k = ERFC_FRACTION_LEVELS; k >= 1; k--) f = a.add(t, a.div(a.c(k / 2), f));
  return a.div(a.mul(a.c(1 / Math.sqrt(Math.PI)), a.exp(a.neg(a.mul(t, t)))), f);
}

/** y with erf(y) = x to float64 precision, from an estimate (see the header). */
function refineErfInv(ctx: LoweringContext, x: Value, estimate: Value): Value {
  const a = new FloatArith(ctx, x.type.dtype);
  const ax = a.abs(x);
  const central = a.lt(ax, a.c(0.5));
  const oneMinus = a.sub(a.c(1), ax);
  const active = a.and(a.lt(ax, a.c(1)), a.gt(ax, a.c(0)));
  const [t] = iterateElementwise(ctx, {
    init: [a.abs(estimate)],
    active,
    maxIterations: 8,
    counterDtype: "float64",
    step([t]) {
      // Series and fraction on clamped arguments, so that the branch not taken stays finite.
      const small = ctx.op("Min", [t, a.c(1.5)]);
      const erfSmall = erfSeries(a, small);
      const erfc = a.where(a.lt(t, a.c(1.5)), a.sub(a.c(1), erfSmall), erfcFraction(a, ctx.op("Max", [t, a.c(1.5)])));
      const f = a.where(central, a.sub(erfSmall, ax), a.sub(oneMinus, erfc));
      const derivative = a.mul(a.c(TWO_OVER_SQRT_PI), a.exp(a.neg(a.mul(t, t))));
      const step = a.div(f, a.add(derivative, a.mul(t, f)));
      const next = a.sub(t, step);
      return { next: [next], unconverged: a.gt(a.abs(step), a.mul(a.c(2 * 2 ** -52), next)) };
    },
  });
  return a.where(a.lt(x, a.c(0)), a.neg(t), a.where(active, t, estimate));
}

/**
 * x minus its nearest integer (exact in floating point): sin(pi x) and tan(pi x) up to sign and
 * period, without the rounding of pi * x for large |x| that would blur the poles.
 */
function nearestOffset(ctx: LoweringContext, x: Value): Value {
  return ctx.op("Sub", [x, ctx.op("Round", [x])]);
}

/** A(z) and A'(z) of the Lanczos series. */
function lanczosSeries(a: FloatArith, z: Value): [Value, Value] {
  let sum = a.c(LANCZOS[0]);
  let derivative = a.c(0);
  LANCZOS.slice(1).forEach((c, i) => {
    const d = a.add(z, a.c(i + 1));
    sum = a.add(sum, a.div(a.c(c), d));
    derivative = a.sub(derivative, a.div(a.c(c), a.mul(d, d)));
  });
  return [sum, derivative];
}

/** lgamma for x >= 1/2 (other lanes give finite garbage the caller replaces). */
function lgammaRight(a: FloatArith, x: Value): Value {
  const z = a.sub(x, a.c(1));
  const t = a.add(z, a.c(LANCZOS_G + 0.5));
  const [series] = lanczosSeries(a, z);
  return a.add(a.sub(a.add(a.c(0.5 * Math.log(2 * Math.PI)), a.mul(a.add(z, a.c(0.5)), a.log(t))), t), a.log(series));
}

export const lgamma: Unary = (ctx, x) => {
  const a = new FloatArith(ctx, x.type.dtype);
  const reflect = a.lt(x, a.c(0.5));
  const right = lgammaRight(a, a.where(reflect, a.sub(a.c(1), x), x));
  const sinPi = ctx.op("Abs", [ctx.op("Sin", [a.mul(a.c(Math.PI), nearestOffset(ctx, x))])]);
  const reflected = a.sub(a.log(a.div(a.c(Math.PI), sinPi)), right);
  const value = a.where(reflect, reflected, right);
  // Poles (non-positive integers) are +inf; so is +inf itself (the series gives NaN there).
  const pole = ctx.op("And", [ctx.op("Equal", [ctx.op("Floor", [x]), x]), ctx.op("LessOrEqual", [x, a.c(0)])]);
  const infinite = ctx.op("Or", [pole, ctx.op("IsInf", [x])]);
  return a.where(infinite, a.c(Infinity), value);
};

export const digamma: Unary = (ctx, x) => {
  const a = new FloatArith(ctx, x.type.dtype);
  const reflect = a.lt(x, a.c(0.5));
  const y = a.where(reflect, a.sub(a.c(1), x), x);
  const z = a.sub(y, a.c(1));
  const t = a.add(z, a.c(LANCZOS_G + 0.5));
  const [series, derivative] = lanczosSeries(a, z);
  const right = a.add(a.sub(a.log(t), a.div(a.c(LANCZOS_G), t)), a.div(derivative, series));
  // pi / tan(pi r) as pi cos / sin: onnxruntime has no float64 Tan kernel.
  const angle = a.mul(a.c(Math.PI), nearestOffset(ctx, x));
  const reflected = a.sub(right, a.div(a.mul(a.c(Math.PI), ctx.op("Cos", [angle])), ctx.op("Sin", [angle])));
  const value = a.where(reflect, reflected, right);
  const pole = ctx.op("And", [ctx.op("Equal", [ctx.op("Floor", [x]), x]), ctx.op("LessOrEqual", [x, a.c(0)])]);
  return a.where(pole, a.c(NaN), a.where(ctx.op("Equal", [x, a.c(Infinity)]), a.c(Infinity), value));
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
  special("erf_inv", erfInv, ["Log", "Sqrt", "Mul", "Add", "Where", "Loop", "Exp", "Div"]),
  special("lgamma", lgamma, ["Log", "Sin", "Div", "Add", "Where", "Floor"]),
  special("digamma", digamma, ["Log", "Sin", "Cos", "Div", "Add", "Where", "Floor"]),
];
