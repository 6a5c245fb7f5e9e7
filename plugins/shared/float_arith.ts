/**
 * Elementwise float arithmetic for the rules that spell a function out of ONNX ops (lax.special):
 * the core's `Real` helpers (c, add, sub, mul, div, where, eq, lt, gt, log1p, ...) for one float
 * dtype, plus what those rules need besides; scalars broadcast by ONNX's multidirectional
 * broadcasting. Ops go through the rule's context, so float64 kernel gaps are filled as usual.
 */
import { Real, type DType, type LoweringContext, type Value } from "../../src/core";

export class FloatArith extends Real {
  constructor(
    readonly ctx: LoweringContext,
    dtype: DType,
  ) {
    super(ctx, dtype);
  }
  pow = (a: Value, b: Value): Value => this.ctx.op("Pow", [a, b]);
  neg = (a: Value): Value => this.ctx.op("Neg", [a]);
  abs = (a: Value): Value => this.ctx.op("Abs", [a]);
  exp = (a: Value): Value => this.ctx.op("Exp", [a]);
  log = (a: Value): Value => this.ctx.op("Log", [a]);
  sqrt = (a: Value): Value => this.ctx.op("Sqrt", [a]);
  floor = (a: Value): Value => this.ctx.op("Floor", [a]);
  lessEq = (a: Value, b: Value): Value => this.ctx.op("LessOrEqual", [a, b]);
  greaterEq = (a: Value, b: Value): Value => this.ctx.op("GreaterOrEqual", [a, b]);
  and = (...ps: Value[]): Value => ps.reduce((p, q) => this.ctx.op("And", [p, q]));
  or = (...ps: Value[]): Value => ps.reduce((p, q) => this.ctx.op("Or", [p, q]));
  not = (p: Value): Value => this.ctx.op("Not", [p]);
  isNaN = (a: Value): Value => this.ctx.op("IsNaN", [a]);
  isInf = (a: Value): Value => this.ctx.op("IsInf", [a]);
  /** a == +inf (IsInf's detect_negative=0). */
  isPosInf = (a: Value): Value => this.ctx.op("IsInf", [a], { detect_negative: 0 });

  /** c[0] + c[1] w + ... by Horner's rule, coefficients from the highest power down. */
  horner(w: Value, highFirst: readonly number[]): Value {
    let p = this.c(highFirst[0]);
    for (const c of highFirst.slice(1)) p = this.add(this.mul(p, w), this.c(c));
    return p;
  }
}
