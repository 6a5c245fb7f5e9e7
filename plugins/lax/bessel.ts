/**
 * The exponentially scaled modified Bessel functions of the first kind, i0e(x) = e^-|x| I0(x) and
 * i1e(x) = e^-|x| I1(x) (`bessel_i0e`, `bessel_i1e`), as ONNX arithmetic:
 *
 * - |x| <= X0: the power series (DLMF 10.25.2)
 *     I_nu(x) = (x/2)^nu sum_k y^k / (k! (k + nu)!),  y = x^2 / 4,
 *   nested as 1 + y / (1 (1 + nu)) (1 + y / (2 (2 + nu)) (1 + ...)): all terms positive, no
 *   cancellation, and I_nu(X0) is far from overflowing;
 * - |x| > X0: the large-argument expansion (DLMF 10.40.1)
 *     e^-x I_nu(x) ~ (2 pi x)^-1/2 sum_k c_k / x^k,  c_k = prod_{j<=k} ((2j - 1)^2 - 4 nu^2) / (8 j),
 *   truncated before its terms stop shrinking (they do near k = 2x).
 *
 * X0 and the term counts are chosen per dtype so that the first omitted term is below the
 * dtype's precision at X0 (float32: X0 = 10, 18 series terms, 12 asymptotic terms, both under
 * 2e-9; float64: X0 = 20, 36 and 25 terms, under 1.1e-17). i1e is odd: sign(x) i1e(|x|), with
 * i1e(-0) = -0 from the series. inf gives 0 (the expansion's (2 pi x)^-1/2), NaN gives NaN.
 */
import type { DType, LoweringContext, Value } from "../../src/core";
import { FloatArith } from "../shared/float_arith";
import { specialFunctionRule } from "./special";

interface Terms {
  readonly x0: number;
  readonly series: number;
  readonly asymptotic: number;
}

const TERMS: Partial<Record<DType, Terms>> = {
  float32: { x0: 10, series: 18, asymptotic: 12 },
  float64: { x0: 20, series: 36, asymptotic: 25 },
};

/** c_0 ... c_n of the large-argument expansion of order nu. */
function asymptoticCoefficients(nu: number, n: number): number[] {
  const c = [1];
  for (let j = 1; j <= n; j++) c.push((c[j - 1] * ((2 * j - 1) ** 2 - 4 * nu * nu)) / (8 * j));
  return c;
}

function scaledBessel(ctx: LoweringContext, x: Value, nu: 0 | 1): Value {
  const m = new FloatArith(ctx, x.type.dtype);
  const terms = TERMS[x.type.dtype]!;
  const ax = m.abs(x);

  // Series on min(|x|, X0) so that lanes beyond X0 stay finite (the Where below drops them).
  const xs = ctx.op("Min", [ax, m.c(terms.x0)]);
  const y = m.mul(m.mul(xs, xs), m.c(0.25));
  let nested = m.c(1);
  for (let k = terms.series; k >= 1; k--) nested = m.add(m.c(1), m.mul(m.div(y, m.c(k * (k + nu))), nested));
  const series = m.mul(m.exp(m.neg(xs)), nu === 0 ? nested : m.mul(m.mul(xs, m.c(0.5)), nested));

  const xl = ctx.op("Max", [ax, m.c(terms.x0)]);
  const c = asymptoticCoefficients(nu, terms.asymptotic);
  const sum = m.horner(m.div(m.c(1), xl), [...c].reverse());
  const asymptotic = m.div(sum, m.sqrt(m.mul(m.c(2 * Math.PI), xl)));

  const magnitude = m.where(m.lessEq(ax, m.c(terms.x0)), series, asymptotic);
  if (nu === 0) return m.where(m.isNaN(x), x, magnitude);
  // Odd: sign(x) * magnitude; -0 and NaN pass through the series' x / 2.
  const signed = m.where(m.lt(x, m.c(0)), m.neg(magnitude), magnitude);
  return m.where(m.or(m.isNaN(x), m.eq(x, m.c(0))), m.mul(x, m.c(0.5)), signed);
}

export const BESSEL_RULES = [
  specialFunctionRule("bessel_i0e", ["Exp", "Sqrt", "Div", "Mul", "Add", "Where"], (ctx, [x]) => scaledBessel(ctx, x, 0)),
  specialFunctionRule("bessel_i1e", ["Exp", "Sqrt", "Div", "Mul", "Add", "Where"], (ctx, [x]) => scaledBessel(ctx, x, 1)),
];
