/**
 * Real functions ONNX has no op for, spelled with ops onnxruntime runs in every float dtype
 * (the formulas are explained in kernel-rewrites.ts): log1p, atan (also through the Atan op where
 * that has a kernel: `atan2`), erf. Used by the float64 kernel replacements and complex rules.
 */
import type { AttrInput } from "../ir/builder";
import type { DType } from "../ir/dtype";
import type { Value } from "../ir/ir";

/** What emits ops: the GraphBuilder (raw ops) or a rule's LoweringContext (with kernel gaps). */
export interface OpEmitter {
  op(op: string, inputs: readonly (Value | null)[], attrs?: Readonly<Record<string, AttrInput>>): Value;
  scalar(value: number, dtype: DType): Value;
}

/** Elementwise helpers over one float dtype. */
export class Real {
  constructor(
    readonly b: OpEmitter,
    readonly dtype: DType,
  ) {}
  c = (v: number): Value => this.b.scalar(v, this.dtype);
  add = (x: Value, y: Value): Value => this.b.op("Add", [x, y]);
  sub = (x: Value, y: Value): Value => this.b.op("Sub", [x, y]);
  mul = (x: Value, y: Value): Value => this.b.op("Mul", [x, y]);
  div = (x: Value, y: Value): Value => this.b.op("Div", [x, y]);
  un = (op: string, x: Value): Value => this.b.op(op, [x]);
  where = (p: Value, x: Value, y: Value): Value => this.b.op("Where", [p, x, y]);
  eq = (x: Value, y: Value): Value => this.b.op("Equal", [x, y]);
  lt = (x: Value, y: Value): Value => this.b.op("Less", [x, y]);
  gt = (x: Value, y: Value): Value => this.b.op("Greater", [x, y]);

  /** log(1 + u) without the cancellation of forming 1 + u (Kahan's correction). */
  log1p(u: Value): Value {
    const w = this.add(this.c(1), u);
    const corrected = this.mul(this.un("Log", w), this.div(u, this.sub(w, this.c(1))));
    return this.where(this.eq(w, this.c(1)), u, this.where(this.un("IsInf", w), w, corrected));
  }

  /** True where x's sign bit is set: negative, or -0 (1 / -0 is -inf). False for NaN. */
  signBit(x: Value): Value {
    const negZero = this.b.op("And", [this.eq(x, this.c(0)), this.lt(this.un("Reciprocal", x), this.c(0))]);
    return this.b.op("Or", [this.lt(x, this.c(0)), negZero]);
  }

  /** |v| with the sign bit `negative` (a product, not a Where of -v and v, so -0 comes out as -0). */
  copySign(v: Value, negative: Value): Value {
    return this.mul(this.un("Abs", v), this.where(negative, this.c(-1), this.c(1)));
  }

  /**
   * atan2(y, x), the angle of (x, y) in [-pi, pi], through the Atan op, with C99's signed zeros
   * (Annex F.9.1.4): atan2(+-0, -0) = +-pi, atan2(+-0, +0) = +-0, both infinite +-pi/4 or
   * +-3pi/4. The angle of (|x|, |y|) is atan(|y| / |x|), mirrored to pi - it when x's sign bit
   * is set, and takes y's sign bit (complex log reads it on the negative real axis).
   */
  atan2(y: Value, x: Value): Value {
    const [ay, ax] = [this.un("Abs", y), this.un("Abs", x)];
    const bothZero = this.b.op("And", [this.eq(ay, this.c(0)), this.eq(ax, this.c(0))]);
    const bothInf = this.b.op("And", [this.un("IsInf", ay), this.un("IsInf", ax)]);
    const base = this.where(bothZero, this.c(0), this.where(bothInf, this.c(Math.PI / 4), this.un("Atan", this.div(ay, ax))));
    const angle = this.where(this.signBit(x), this.sub(this.c(Math.PI), base), base);
    return this.copySign(angle, this.signBit(y));
  }

  /** atan for any x, without an Atan op (see kernel-rewrites.ts). */
  atan(x: Value): Value {
    const a = this.un("Abs", x);
    const folded = this.gt(a, this.c(1));
    let t = this.where(folded, this.div(this.c(1), a), a);
    for (let k = 0; k < 3; k++) t = this.div(t, this.add(this.c(1), this.un("Sqrt", this.add(this.c(1), this.mul(t, t)))));
    const t2 = this.mul(t, t);
    // sum_{k=0}^{8} (-1)^k t^(2k) / (2k + 1), by Horner.
    let series = this.c(1 / 17);
    for (let k = 7; k >= 0; k--) series = this.add(this.c((k % 2 ? -1 : 1) / (2 * k + 1)), this.mul(t2, series));
    const reduced = this.mul(this.c(8), this.mul(t, series));
    const magnitude = this.where(folded, this.sub(this.c(Math.PI / 2), reduced), reduced);
    return this.mul(this.un("Sign", x), magnitude);
  }

  erf(x: Value): Value {
    const a = this.un("Abs", x);
    // Series branch on min(|x|, 3), fraction branch on max(|x|, 3): both stay finite.
    const s = this.b.op("Min", [a, this.c(3)]);
    const s2 = this.mul(s, s);
    // sum_n (2 s^2)^n / (2n+1)!!, Horner from the 60th term: tail below 1e-20 relative at s = 3.
    let sum = this.c(1);
    for (let n = 60; n >= 1; n--) sum = this.add(this.c(1), this.mul(this.div(this.mul(this.c(2), s2), this.c(2 * n + 1)), sum));
    const series = this.mul(this.c(2 / Math.sqrt(Math.PI)), this.mul(this.un("Exp", this.un("Neg", s2)), this.mul(s, sum)));
    const l = this.b.op("Max", [a, this.c(3)]);
    // erfc(l) = e^(-l^2) / sqrt(pi) / (l + (1/2) / (l + 1 / (l + (3/2) / (l + ...)))), 80 levels.
    let f = l;
    for (let k = 80; k >= 1; k--) f = this.add(l, this.div(this.c(k / 2), f));
    const erfc = this.div(this.mul(this.c(1 / Math.sqrt(Math.PI)), this.un("Exp", this.un("Neg", this.mul(l, l)))), f);
    const magnitude = this.where(this.b.op("LessOrEqual", [a, this.c(3)]), series, this.sub(this.c(1), erfc));
    return this.mul(this.un("Sign", x), magnitude);
  }
}

