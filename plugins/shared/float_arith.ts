/**
 * Elementwise float arithmetic for the rules that spell a function out of ONNX ops (lax.special):
 * one float dtype, scalars broadcast by ONNX's multidirectional broadcasting.
 */
import type { DType, LoweringContext, Value } from "../../src/core";

export class FloatArith {
  constructor(
    readonly ctx: LoweringContext,
    readonly dtype: DType,
  ) {}
  k = (v: number): Value => this.ctx.scalar(v, this.dtype);
  add = (a: Value, b: Value): Value => this.ctx.op("Add", [a, b]);
  sub = (a: Value, b: Value): Value => this.ctx.op("Sub", [a, b]);
  mul = (a: Value, b: Value): Value => this.ctx.op("Mul", [a, b]);
  div = (a: Value, b: Value): Value => this.ctx.op("Div", [a, b]);
  pow = (a: Value, b: Value): Value => this.ctx.op("Pow", [a, b]);
  neg = (a: Value): Value => this.ctx.op("Neg", [a]);
  abs = (a: Value): Value => this.ctx.op("Abs", [a]);
  exp = (a: Value): Value => this.ctx.op("Exp", [a]);
  log = (a: Value): Value => this.ctx.op("Log", [a]);
  sqrt = (a: Value): Value => this.ctx.op("Sqrt", [a]);
  floor = (a: Value): Value => this.ctx.op("Floor", [a]);
  where = (c: Value, a: Value, b: Value): Value => this.ctx.op("Where", [c, a, b]);
  less = (a: Value, b: Value): Value => this.ctx.op("Less", [a, b]);
  lessEq = (a: Value, b: Value): Value => this.ctx.op("LessOrEqual", [a, b]);
  greater = (a: Value, b: Value): Value => this.ctx.op("Greater", [a, b]);
  greaterEq = (a: Value, b: Value): Value => this.ctx.op("GreaterOrEqual", [a, b]);
  eq = (a: Value, b: Value): Value => this.ctx.op("Equal", [a, b]);
  and = (...ps: Value[]): Value => ps.reduce((p, q) => this.ctx.op("And", [p, q]));
  or = (...ps: Value[]): Value => ps.reduce((p, q) => this.ctx.op("Or", [p, q]));
  not = (p: Value): Value => this.ctx.op("Not", [p]);
  isNaN = (a: Value): Value => this.ctx.op("IsNaN", [a]);
  isInf = (a: Value): Value => this.ctx.op("IsInf", [a]);
  /** a == +inf (IsInf's detect_negative=0). */
  isPosInf = (a: Value): Value => this.ctx.op("IsInf", [a], { detect_negative: 0 });
  /** Integer-valued (finite) lanes. */
  isInteger = (a: Value): Value => this.eq(this.floor(a), a);

  /** c[0] + c[1] w + ... by Horner's rule, coefficients from the highest power down. */
  horner(w: Value, highFirst: readonly number[]): Value {
    let p = this.k(highFirst[0]);
    for (const c of highFirst.slice(1)) p = this.add(this.mul(p, w), this.k(c));
    return p;
  }

  /**
   * log(1 + u) without the cancellation of forming 1 + u: with w = 1 + u rounded,
   * log(w) * u / (w - 1) (W. Kahan's correction); u itself where w rounds to 1.
   */
  log1p(u: Value): Value {
    const w = this.add(this.k(1), u);
    const corrected = this.mul(this.log(w), this.div(u, this.sub(w, this.k(1))));
    return this.where(this.eq(w, this.k(1)), u, this.where(this.isPosInf(w), w, corrected));
  }
}
