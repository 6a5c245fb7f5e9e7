/**
 * Continued fractions f = b0 + a1 / (b1 + a2 / (b2 + ...)), elementwise, by the modified Lentz
 * method (W. J. Lentz, Appl. Opt. 15, 1976; I. J. Thompson and A. R. Barnett, J. Comput. Phys.
 * 64, 1986): with C_0 = f_0 = b0 and D_0 = 0, each step k sets D_k = 1 / (b_k + a_k D_{k-1}),
 * C_k = b_k + a_k / C_{k-1} and f_k = f_{k-1} C_k D_k, a denominator smaller than `tiny` in size
 * replaced by `tiny`; a lane has converged when |C_k D_k - 1| < `tolerance`.
 *
 * With `derivative`, the same recurrences are differentiated with respect to one parameter p the
 * terms depend on (forward mode: da_k/dp and db_k/dp given), and the result carries
 * g = (df/dp) / f, accumulated as g_k = g_{k-1} + (d(C_k D_k)/dp) / (C_k D_k); a replaced
 * denominator is a constant (derivative 0). Then a lane also waits for g to settle:
 * |d(C_k D_k)/dp| < tolerance * max(|g|, 1).
 */
import type { DType, LoweringContext, Value } from "../../src/core";
import { filled, iterateElementwise } from "./converge_loop";
import { FloatArith } from "./float_arith";

export interface FractionTerms {
  readonly a: Value;
  readonly b: Value;
  /** da/dp and db/dp, with `derivative`. */
  readonly da?: Value;
  readonly db?: Value;
}

export interface ContinuedFraction {
  readonly dtype: DType;
  /** b0 (of the result's shape) and, with `derivative`, db0/dp. */
  readonly b0: Value;
  readonly db0?: Value;
  /** The partial numerator and denominator of step k (k = 1, 2, ... as a float scalar). */
  terms(k: Value): FractionTerms;
  readonly active: Value;
  readonly maxIterations: number;
  readonly tolerance: number;
  readonly tiny: number;
  readonly derivative?: boolean;
}

/** f and, with `derivative`, g = f'/f. */
export function evaluateContinuedFraction(ctx: LoweringContext, cf: ContinuedFraction): { f: Value; g?: Value } {
  const m = new FloatArith(ctx, cf.dtype);
  const tiny = m.c(cf.tiny);
  const orTiny = (v: Value): [Value, Value] => {
    const small = m.lt(m.abs(v), tiny);
    return [m.where(small, tiny, v), small];
  };
  const [f0] = orTiny(cf.b0);
  const zero = filled(ctx, 0, cf.dtype, cf.b0.type.shape);
  const init = [f0, f0, zero];
  if (cf.derivative) {
    if (!cf.db0) ctx.fail("internal: a differentiated continued fraction needs db0");
    const db0 = m.add(zero, cf.db0);
    init.push(m.div(db0, f0), db0, zero);
  }
  const final = iterateElementwise(ctx, {
    init,
    active: cf.active,
    maxIterations: cf.maxIterations,
    counterDtype: cf.dtype,
    step([f, c, d, g, dc, dd], k) {
      const t = cf.terms(k);
      const [dRaw, dSmall] = orTiny(m.add(t.b, m.mul(t.a, d)));
      const [cNew, cSmall] = orTiny(m.add(t.b, m.div(t.a, c)));
      const dNew = m.div(m.c(1), dRaw);
      const delta = m.mul(cNew, dNew);
      const next = [m.mul(f, delta), cNew, dNew];
      let unconverged = m.greaterEq(m.abs(m.sub(delta, m.c(1))), m.c(cf.tolerance));
      if (cf.derivative && t.da && t.db) {
        const zeroIf = (p: Value, v: Value): Value => m.where(p, m.c(0), v);
        const dDRaw = zeroIf(dSmall, m.add(m.add(t.db, m.mul(t.da, d)), m.mul(t.a, dd)));
        const dCNew = zeroIf(cSmall, m.sub(m.add(t.db, m.div(t.da, c)), m.div(m.mul(t.a, dc), m.mul(c, c))));
        const dDNew = m.neg(m.mul(dDRaw, m.mul(dNew, dNew)));
        const dDelta = m.add(m.mul(dCNew, dNew), m.mul(cNew, dDNew));
        const gNew = m.add(g, m.div(dDelta, delta));
        next.push(gNew, dCNew, dDNew);
        const scale = ctx.op("Max", [m.abs(gNew), m.c(1)]);
        unconverged = m.or(unconverged, m.greaterEq(m.abs(dDelta), m.mul(m.c(cf.tolerance), scale)));
      }
      return { next, unconverged };
    },
  });
  return cf.derivative ? { f: final[0], g: final[3] } : { f: final[0] };
}
