/**
 * The Hurwitz zeta function zeta(s, q) = sum_{k>=0} (q + k)^-s (`zeta`) and the polygamma
 * functions (`polygamma`), as ONNX arithmetic.
 *
 * zeta by Euler-Maclaurin summation (DLMF 2.10.1 applied to f(k) = (q + k)^-s; DLMF 25.11.5's
 * form): with w = q + N,
 *   zeta(s, q) = sum_{k<N} (q + k)^-s + w^-s (w / (s - 1) + 1/2 + sum_{j=1}^{M} b_j (s)_{2j-1} w^{1-2j}),
 *   b_j = B_{2j} / (2j)!  (Bernoulli numbers),  (s)_n the rising factorial,
 * with N = 10 direct terms and M = 12 correction terms: the first omitted term is below 1e-20
 * relative for q >= 1 (and q in (0, 1) is carried by the direct terms), so float32 and float64
 * both get their precision. The corrections are nested,
 *   s u (b_1 + (s + 1)(s + 2) u^2 (b_2 + (s + 3)(s + 4) u^2 (b_3 + ...))),  u = 1 / w,
 * so that neither the rising factorial nor w^-s over- or underflows on its own (zeta(200, 1) = 1,
 * not inf * 0).
 *
 * The same N as JAX's (XLA's Zeta) keeps JAX's values where the sum is not a zeta value at all
 * (q < -N: the formula then runs on a negative w) and the edges are JAX's, measured on a grid:
 * inf at s = 1; NaN for s < 1; for q a non-positive integer (a pole; -inf included) inf when s
 * is an even integer and NaN otherwise; NaN for q <= 0 with s not an integer; NaN at q = +inf
 * (w^-s w is 0 * inf there, as in JAX) and at s = +inf.
 *
 * polygamma(m, x) = (-1)^(m+1) m! zeta(m + 1, x) for integer m >= 1 (DLMF 25.11.12), digamma
 * (special.ts) for m = 0, NaN for other m; m! = exp(lgamma(m + 1)) as m is a tensor.
 */
import type { LoweringContext, Value } from "../../src/core";
import { FloatArith } from "../shared/float_arith";
import { digamma, lgamma, specialFunctionRule } from "./special";

const DIRECT_TERMS = 10;
// B_2, B_4, ..., B_24.
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730];

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** b_j = B_{2j} / (2j)!, j = 1 .. 12. */
const B_OVER_FACTORIAL = BERNOULLI.map((b, i) => b / factorial(2 * (i + 1)));

function zeta(ctx: LoweringContext, s: Value, q: Value): Value {
  const m = new FloatArith(ctx, s.type.dtype);
  const negS = m.neg(s);
  let direct = m.pow(q, negS);
  for (let k = 1; k < DIRECT_TERMS; k++) direct = m.add(direct, m.pow(m.add(q, m.c(k)), negS));
  const w = m.add(q, m.c(DIRECT_TERMS));
  const u = m.div(m.c(1), w);
  const u2 = m.mul(u, u);
  const M = B_OVER_FACTORIAL.length;
  let nested = m.c(B_OVER_FACTORIAL[M - 1]);
  for (let j = M - 1; j >= 1; j--) {
    const rising = m.mul(m.add(s, m.c(2 * j - 1)), m.add(s, m.c(2 * j)));
    nested = m.add(m.c(B_OVER_FACTORIAL[j - 1]), m.mul(m.mul(rising, u2), nested));
  }
  const correction = m.add(m.add(m.div(w, m.sub(s, m.c(1))), m.c(0.5)), m.mul(m.mul(s, u), nested));
  let out = m.add(direct, m.mul(m.pow(w, negS), correction));

  const nan = m.c(NaN);
  const finite = m.not(m.or(m.isInf(s), m.isNaN(s)));
  const half = m.mul(s, m.c(0.5));
  const evenS = m.and(finite, m.eq(m.floor(half), half));
  const qNonPositive = m.lessEq(q, m.c(0));
  const pole = m.and(qNonPositive, m.eq(m.floor(q), q));
  out = m.where(m.or(m.lt(s, m.c(1)), m.isPosInf(s), m.isPosInf(q)), nan, out);
  out = m.where(m.and(qNonPositive, m.not(m.eq(m.floor(s), s))), nan, out);
  out = m.where(pole, m.where(evenS, m.c(Infinity), nan), out);
  return m.where(m.eq(s, m.c(1)), m.c(Infinity), out);
}

function polygamma(ctx: LoweringContext, order: Value, x: Value): Value {
  const m = new FloatArith(ctx, x.type.dtype);
  const one = m.c(1);
  const orderPlusOne = m.add(order, one);
  const half = m.mul(order, m.c(0.5));
  const sign = m.where(m.eq(m.floor(half), half), m.c(-1), one);
  const higher = m.mul(m.mul(sign, m.exp(lgamma(ctx, orderPlusOne))), zeta(ctx, orderPlusOne, x));
  const out = m.where(m.eq(order, m.c(0)), digamma(ctx, x), higher);
  const valid = m.and(m.eq(m.floor(order), order), m.greaterEq(order, m.c(0)), m.not(m.isInf(order)));
  return m.where(valid, out, m.c(NaN));
}

export const ZETA_RULES = [
  specialFunctionRule("zeta", ["Pow", "Div", "Mul", "Add", "Where"], (ctx, [s, q]) => zeta(ctx, s, q)),
  specialFunctionRule("polygamma", ["Pow", "Exp", "Log", "Div", "Mul", "Add", "Where"], (ctx, [order, x]) => polygamma(ctx, order, x)),
];
