/**
 * The regularized incomplete gamma functions P(a, x) (`igamma`), Q(a, x) = 1 - P (`igammac`)
 * and dP/da (`igamma_grad_a`), as ONNX arithmetic with one Loop per method.
 *
 * With ax = x^a e^-x / Gamma(a) = exp(a log x - x - lgamma(a)):
 * - the series (DLMF 8.11.4 with Gamma(a + 1) = a Gamma(a)):
 *     P = ax / a * S,  S = sum_{n>=0} c_n,  c_0 = 1,  c_n = c_{n-1} x / (a + n),
 *   summed until c_n / S <= eps; dP/da = ax / a * (S (log x - digamma(a + 1)) + dS/da), with
 *   dc_n/da = (dc_{n-1}/da - c_{n-1} / (a + n)) x / (a + n), summed until |dc_n / dS| <= eps;
 * - the continued fraction for Gamma(a, x) (Legendre's, in its even form, DLMF 8.9.2):
 *     Q = ax / f,  f = (x + 1 - a) + a_1 / ((x + 3 - a) + a_2 / ((x + 5 - a) + ...)),
 *     a_k = k (a - k),  b_k = x + 2k + 1 - a,
 *   by modified Lentz (plugins/shared/continued_fraction.ts), and
 *   dQ/da = Q (log x - digamma(a) - f'/f) with f' from da_k/da = k, db_k/da = -1.
 *
 * Which method serves a lane, and every edge, is JAX's (jax/_src/lax/special.py, igamma_impl,
 * igammac_impl, igamma_grad_a_impl), so results agree there too: the fraction where x >= 1 and
 * x > a (x > 1 for the derivative), the series elsewhere; NaN for a < 0, x < 0, a = x = 0 or a
 * NaN input (a <= 0 for the derivative); P = 0 at x = 0 and 1 at x = inf; Q = 0 at x = inf or
 * a = 0; lanes where ax underflows (log ax < -log(max float)) skip the iteration and keep its
 * first term, as JAX's masked lanes do. The fraction stops after 2,000 steps, as JAX's does; the
 * series (unbounded in JAX) after 10,000, enough for float64 precision up to a ~ 1e6 (it needs
 * about sqrt(2 a log(1/eps)) terms when x is close to a).
 *
 * Accuracy is the dtype's: float32 and float64 both iterate to their own eps, with lgamma and
 * digamma (special.ts) accurate to a few ulps in either. Where JAX's own float32 result is
 * inaccurate (a log x much larger than 1: the rounding of a log x - x - lgamma(a) moves ax by
 * |a log x| ulps), this rule's differs from it by the same order.
 */
import type { DType, LoweringContext, LoweringRule, Value } from "../../src/core";
import { evaluateContinuedFraction } from "../shared/continued_fraction";
import { filled, iterateElementwise } from "../shared/converge_loop";
import { FloatArith } from "../shared/float_arith";
import { digamma, lgamma, specialFunctionRule } from "./special";

const EPS: Partial<Record<DType, number>> = { float32: 2 ** -23, float64: 2 ** -52 };
const LOG_MAX: Partial<Record<DType, number>> = { float32: Math.log(3.4028234663852886e38), float64: Math.log(Number.MAX_VALUE) };
/** Lentz's stand-in for a zero denominator: far below 1, far above the smallest normal. */
const TINY: Partial<Record<DType, number>> = { float32: 1e-30, float64: 1e-300 };

const SERIES_MAX_TERMS = 10000;
const FRACTION_MAX_STEPS = 2000;

interface Gamma {
  readonly ctx: LoweringContext;
  readonly m: FloatArith;
  readonly a: Value;
  readonly x: Value;
  readonly eps: number;
  /** x^a e^-x / Gamma(a). */
  readonly ax: Value;
  readonly underflow: Value;
}

function gamma(ctx: LoweringContext, a: Value, x: Value): Gamma {
  const dtype = a.type.dtype;
  const m = new FloatArith(ctx, dtype);
  const logAx = m.sub(m.sub(m.mul(a, m.log(x)), x), lgamma(ctx, a));
  return { ctx, m, a, x, eps: EPS[dtype]!, ax: m.exp(logAx), underflow: m.lt(logAx, m.c(-LOG_MAX[dtype]!)) };
}

/** The series S (and dS/da) on `active` lanes; others keep S = 1, dS/da = 0. */
function series(g: Gamma, active: Value, derivative: boolean): { sum: Value; dsum: Value } {
  const { ctx, m, a, x } = g;
  const shape = a.type.shape;
  const one = filled(ctx, 1, a.type.dtype, shape);
  const zero = filled(ctx, 0, a.type.dtype, shape);
  const [, , sum, , dsum] = iterateElementwise(ctx, {
    init: derivative ? [a, one, one, zero, zero] : [a, one, one],
    active,
    maxIterations: SERIES_MAX_TERMS,
    counterDtype: a.type.dtype,
    step([r, c, s, dc, ds]) {
      const rNext = m.add(r, m.c(1));
      const ratio = m.div(x, rNext);
      const cNext = m.mul(c, ratio);
      const sNext = m.add(s, cNext);
      if (!derivative) return { next: [rNext, cNext, sNext], unconverged: m.gt(m.div(cNext, sNext), m.c(g.eps)) };
      const dcNext = m.mul(m.sub(dc, m.div(c, rNext)), ratio);
      const dsNext = m.add(ds, dcNext);
      return { next: [rNext, cNext, sNext, dcNext, dsNext], unconverged: m.gt(m.abs(m.div(dcNext, dsNext)), m.c(g.eps)) };
    },
  });
  return { sum, dsum: dsum ?? zero };
}

/** Legendre's fraction f (Q = ax / f) and f'/f with respect to a. */
function fraction(g: Gamma, active: Value, derivative: boolean): { f: Value; g?: Value } {
  const { ctx, m, a, x } = g;
  return evaluateContinuedFraction(ctx, {
    dtype: a.type.dtype,
    b0: m.sub(m.add(x, m.c(1)), a),
    db0: m.c(-1),
    terms: (k) => ({
      a: m.mul(k, m.sub(a, k)),
      b: m.sub(m.add(x, m.add(m.mul(m.c(2), k), m.c(1))), a),
      da: k,
      db: m.c(-1),
    }),
    active,
    maxIterations: FRACTION_MAX_STEPS,
    tolerance: g.eps,
    tiny: TINY[a.type.dtype]!,
    derivative,
  });
}

interface Edges {
  readonly isNaN: Value;
  readonly xZero: Value;
  readonly xInf: Value;
  readonly aZero: Value;
  /** x < 0, a < 0, a = x = 0 or NaN: JAX's domain error of igamma and igammac. */
  readonly domain: Value;
}

function edges(g: Gamma): Edges {
  const { m, a, x } = g;
  const isNaN = m.or(m.isNaN(a), m.isNaN(x));
  const xZero = m.eq(x, m.c(0));
  const aZero = m.eq(a, m.c(0));
  const domain = m.or(m.lt(x, m.c(0)), m.lt(a, m.c(0)), m.and(aZero, xZero), isNaN);
  return { isNaN, xZero, xInf: m.isPosInf(x), aZero, domain };
}

function igamma(ctx: LoweringContext, [a, x]: Value[]): Value {
  const g = gamma(ctx, a, x);
  const { m } = g;
  const e = edges(g);
  const useFraction = m.and(m.greaterEq(x, m.c(1)), m.gt(x, a));
  const enabled = m.not(m.or(e.xZero, e.domain, g.underflow, e.xInf));
  const { sum } = series(g, m.and(enabled, m.not(useFraction)), false);
  const { f } = fraction(g, m.and(enabled, useFraction), false);
  let out = m.where(useFraction, m.sub(m.c(1), m.div(g.ax, f)), m.div(m.mul(sum, g.ax), a));
  out = m.where(e.xZero, m.c(0), out);
  out = m.where(e.xInf, m.c(1), out);
  return m.where(e.domain, m.c(NaN), out);
}

function igammac(ctx: LoweringContext, [a, x]: Value[]): Value {
  const g = gamma(ctx, a, x);
  const { m } = g;
  const e = edges(g);
  const useSeries = m.or(m.lt(x, m.c(1)), m.lt(x, a));
  const enabled = m.not(m.or(e.domain, g.underflow, e.xInf, e.aZero));
  const { sum } = series(g, m.and(enabled, useSeries), false);
  const { f } = fraction(g, m.and(enabled, m.not(useSeries)), false);
  let out = m.where(useSeries, m.sub(m.c(1), m.div(m.mul(sum, g.ax), a)), m.div(g.ax, f));
  out = m.where(m.or(e.xInf, e.aZero), m.c(0), out);
  return m.where(e.domain, m.c(NaN), out);
}

function igammaGradA(ctx: LoweringContext, [a, x]: Value[]): Value {
  const g = gamma(ctx, a, x);
  const { m } = g;
  const e = edges(g);
  const domain = m.or(m.lt(x, m.c(0)), m.lessEq(a, m.c(0)), e.isNaN);
  const useFraction = m.and(m.gt(x, m.c(1)), m.gt(x, a));
  const enabled = m.not(m.or(e.xZero, domain, g.underflow));
  const logX = m.log(x);
  const { sum, dsum } = series(g, m.and(enabled, m.not(useFraction)), true);
  const fromSeries = m.div(m.mul(g.ax, m.add(m.mul(sum, m.sub(logX, digamma(ctx, m.add(a, m.c(1))))), dsum)), a);
  const cf = fraction(g, m.and(enabled, useFraction), true);
  const q = m.div(g.ax, cf.f);
  const fromFraction = m.neg(m.mul(q, m.sub(m.sub(logX, digamma(ctx, a)), cf.g!)));
  const out = m.where(e.xZero, m.c(0), m.where(useFraction, fromFraction, fromSeries));
  return m.where(domain, m.c(NaN), out);
}

const OPS = ["Loop", "Log", "Exp", "Div", "Mul", "Add", "Where"];

export const IGAMMA_RULES: LoweringRule[] = [
  specialFunctionRule("igamma", OPS, igamma),
  specialFunctionRule("igammac", OPS, igammac),
  specialFunctionRule("igamma_grad_a", OPS, igammaGradA),
];
