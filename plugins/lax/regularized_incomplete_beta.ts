/**
 * The regularized incomplete beta function I_x(a, b) (`regularized_incomplete_beta`,
 * jax.scipy.special.betainc) as ONNX arithmetic with one Loop: the continued fraction
 * (DLMF 8.17.22)
 *   I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) / f,   f = 1 + d_1 / (1 + d_2 / (1 + ...)),
 *   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
 *   d_{2m}   = m (b - m) x / ((a + 2m - 1)(a + 2m)),
 * by modified Lentz (plugins/shared/continued_fraction.ts). It converges fast for
 * x < (a + 1) / (a + b + 2); elsewhere the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) (DLMF 8.17.4)
 * brings x there.
 *
 * As JAX does (jax/_src/lax/special.py, regularized_incomplete_beta_impl): d_1 is written
 * -(a + b) x / (a + 1) (no a / a at a = 0); x^a (1 - x)^b / (a B(a, b)) is
 * exp(a log x + b log1p(-x) - log B(a, b)) / a, and for a below twice the smallest normal
 * exp(b log1p(-x) - lgamma(b) + lgamma(a + b)) (a Gamma(a) -> 1); Lentz stops at
 * |C_k D_k - 1| < eps / 2 with eps / 2 for a vanishing denominator, after at most 200 steps in
 * float32 and 600 in float64; and the edges: a = 0 or b = inf behave as a -> 0 (I = 1 for x > 0,
 * 0 at x = 0), b = 0 or a = inf as b -> 0 (I = 0 for x < 1, 1 at x = 1); NaN for a < 0, b < 0,
 * x outside [0, 1], both limits at once, or a NaN input.
 *
 * Accuracy is the dtype's (float32 and float64 iterate to their own eps); for large a or b the
 * rounding of a log x + b log1p(-x) - log B(a, b) dominates, in JAX's result as in this one.
 */
import type { DType, LoweringContext, Value } from "../../src/core";
import { evaluateContinuedFraction } from "../shared/continued_fraction";
import { filled } from "../shared/converge_loop";
import { FloatArith } from "../shared/float_arith";
import { lgamma, specialFunctionRule } from "./special";

const EPS: Partial<Record<DType, number>> = { float32: 2 ** -23, float64: 2 ** -52 };
const SMALLEST_NORMAL: Partial<Record<DType, number>> = { float32: 2 ** -126, float64: 2 ** -1022 };
const MAX_STEPS: Partial<Record<DType, number>> = { float32: 200, float64: 600 };

function betainc(ctx: LoweringContext, [aIn, bIn, xIn]: Value[]): Value {
  const dtype = aIn.type.dtype;
  const m = new FloatArith(ctx, dtype);
  const zero = m.c(0);
  const one = m.c(1);
  const inf = m.c(Infinity);

  const aZero = m.or(m.eq(aIn, zero), m.eq(bIn, inf));
  const bZero = m.or(m.eq(bIn, zero), m.eq(aIn, inf));
  const xZero = m.eq(xIn, zero);
  const xOne = m.eq(xIn, one);
  const resultZero = m.or(m.and(bZero, m.not(xOne)), m.and(aZero, xZero));
  const resultOne = m.or(m.and(aZero, m.not(xZero)), m.and(bZero, xOne));
  const isNaN = m.or(m.isNaN(aIn), m.isNaN(bIn), m.isNaN(xIn));
  const resultNaN = m.or(m.lt(aIn, zero), m.lt(bIn, zero), m.lt(xIn, zero), m.gt(xIn, one), m.and(aZero, bZero), isNaN);

  // DLMF 8.17.4: the fraction converges fast below (a + 1) / (a + b + 2).
  const direct = m.lt(xIn, m.div(m.add(aIn, one), m.add(m.add(aIn, bIn), m.c(2))));
  const a = m.where(direct, aIn, bIn);
  const b = m.where(direct, bIn, aIn);
  const x = m.where(direct, xIn, m.sub(one, xIn));

  const half = m.c(0.5);
  const two = m.c(2);
  const { f } = evaluateContinuedFraction(ctx, {
    dtype,
    b0: filled(ctx, 1, dtype, a.type.shape),
    terms(k) {
      const mm = m.floor(m.mul(k, half));
      const odd = m.eq(m.sub(k, m.mul(two, mm)), one);
      const a2m = m.add(a, m.mul(two, mm));
      // d_1 = -(a + b) x / (a + 1): the ratio (a + m) / (a + 2m) is 1 there.
      const ratio = m.where(m.eq(k, one), one, m.div(m.add(a, mm), a2m));
      const oddTerm = m.neg(m.mul(ratio, m.div(m.mul(m.add(m.add(a, b), mm), x), m.add(a2m, one))));
      const evenTerm = m.div(m.mul(m.mul(mm, m.sub(b, mm)), x), m.mul(m.sub(a2m, one), a2m));
      return { a: m.where(odd, oddTerm, evenTerm), b: one };
    },
    active: m.not(m.or(resultZero, resultOne, resultNaN)),
    maxIterations: MAX_STEPS[dtype]!,
    tolerance: EPS[dtype]! / 2,
    tiny: EPS[dtype]! / 2,
  });

  const log1mx = m.log1p(m.neg(x));
  const lbetaSmallA = m.sub(lgamma(ctx, b), lgamma(ctx, m.add(a, b)));
  const lbeta = m.add(lgamma(ctx, a), lbetaSmallA);
  const factor = m.where(
    m.lt(a, m.c(2 * SMALLEST_NORMAL[dtype]!)),
    m.exp(m.sub(m.mul(log1mx, b), lbetaSmallA)),
    m.div(m.exp(m.sub(m.add(m.mul(m.log(x), a), m.mul(log1mx, b)), lbeta)), a),
  );
  const value = m.div(factor, f);
  let out = m.where(direct, value, m.sub(one, value));
  out = m.where(resultZero, zero, out);
  out = m.where(resultOne, one, out);
  return m.where(resultNaN, m.c(NaN), out);
}

export const regularizedIncompleteBetaRule = specialFunctionRule("regularized_incomplete_beta", ["Loop", "Log", "Exp", "Div", "Mul", "Add", "Where"], betainc);
