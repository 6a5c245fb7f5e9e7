/**
 * Complex arithmetic on the real and imaginary parts of pair tensors (docs/complex.md): complex
 * rules split their inputs (`split`), compute on the parts with real ONNX ops, and `pack` the
 * result back into a [..., 2] pair. The formulas are the textbook ones; where a naive formula
 * loses precision (sqrt near the negative real axis, abs) the comment says what is done instead.
 */
import type { DType } from "../ir/dtype";
import type { Value } from "../ir/ir";
import type { LoweringContext } from "./context";
import { Real } from "./real-math";

/** A complex value as its parts; a real value has no imaginary part. */
export interface Parts {
  readonly re: Value;
  readonly im: Value | null;
}

export class ComplexMath extends Real {
  constructor(
    readonly ctx: LoweringContext,
    /** The parts' dtype (float32 for complex64). */
    dtype: DType,
  ) {
    super(ctx, dtype);
  }

  /** The parts of a pair tensor: Gather of index 0 / 1 on the trailing axis. */
  split(z: Value): Parts {
    const part = (k: number): Value => this.ctx.op("Gather", [z, this.ctx.scalar(k, "int64")], { axis: -1 });
    return { re: part(0), im: part(1) };
  }

  /** A pair tensor from parts (a missing imaginary part is zero). */
  pack(p: Parts): Value {
    let [re, im] = [p.re, p.im ?? this.zerosLike(p.re)];
    if (re.type.shape.length !== im.type.shape.length || re.type.shape.some((d, i) => d !== im.type.shape[i])) {
      // Parts of different shapes (a scalar literal's and a tensor's) broadcast to one first.
      [re, im] = [this.ctx.op("Expand", [re, this.ctx.op("Shape", [im])]), this.ctx.op("Expand", [im, this.ctx.op("Shape", [re])])];
    }
    const axis = this.ctx.int64s([-1]);
    return this.ctx.op("Concat", [this.ctx.op("Unsqueeze", [re, axis]), this.ctx.op("Unsqueeze", [im, axis])], { axis: -1 });
  }

  zerosLike(x: Value): Value {
    return this.ctx.op("Expand", [this.c(0), this.ctx.shape(x.type.shape)]);
  }

  private plus(a: Value | null, b: Value | null): Value | null {
    return a && b ? this.add(a, b) : a ?? b;
  }

  private minus(a: Value | null, b: Value | null): Value | null {
    return a && b ? this.sub(a, b) : a ?? (b ? this.un("Neg", b) : null);
  }

  private times(a: Value | null, b: Value | null): Value | null {
    return a && b ? this.mul(a, b) : null;
  }

  /**
   * A bilinear product of parts (elementwise mul, dot_general, conv): `f` applied to the four
   * combinations, (ar br - ai bi) + i (ar bi + ai br); absent parts (real operands) drop out.
   */
  bilinear(a: Parts, b: Parts, f: (x: Value, y: Value) => Value): Parts {
    const term = (x: Value | null, y: Value | null): Value | null => (x && y ? f(x, y) : null);
    return {
      re: this.minus(term(a.re, b.re), term(a.im, b.im))!,
      im: this.plus(term(a.re, b.im), term(a.im, b.re)),
    };
  }

  mulParts(a: Parts, b: Parts): Parts {
    return this.bilinear(a, b, (x, y) => this.mul(x, y));
  }

  /** |z|^2. */
  norm2(z: Parts): Value {
    return this.plus(this.mul(z.re, z.re), this.times(z.im, z.im))!;
  }

  /** a / b = a conj(b) / |b|^2. */
  divParts(a: Parts, b: Parts): Parts {
    const n = this.norm2(b);
    const num = this.mulParts(a, this.conj(b));
    return { re: this.div(num.re, n), im: num.im && this.div(num.im, n) };
  }

  conj(z: Parts): Parts {
    return { re: z.re, im: z.im && this.un("Neg", z.im) };
  }

  /** |z|, scaled by max(|re|, |im|) so that squaring neither overflows nor underflows (hypot). */
  abs(z: Parts): Value {
    if (!z.im) return this.un("Abs", z.re);
    const [a, b] = [this.un("Abs", z.re), this.un("Abs", z.im)];
    const big = this.ctx.op("Max", [a, b]);
    const small = this.ctx.op("Min", [a, b]);
    const r = this.div(small, big);
    const scaled = this.mul(big, this.un("Sqrt", this.add(this.c(1), this.mul(r, r))));
    return this.where(this.eq(big, this.c(0)), this.c(0), this.where(this.un("IsInf", big), big, scaled));
  }

  /** e^z = e^re (cos im + i sin im). */
  exp(z: Parts): Parts {
    const m = this.un("Exp", z.re);
    if (!z.im) return { re: m, im: null };
    return { re: this.mul(m, this.un("Cos", z.im)), im: this.mul(m, this.un("Sin", z.im)) };
  }

  /** log z = log|z| + i arg z (principal branch). */
  log(z: Parts): Parts {
    return { re: this.un("Log", this.abs(z)), im: this.atan2(z.im ?? this.zerosLike(z.re), z.re) };
  }

  /**
   * Principal sqrt: with t = sqrt((|z| + |re|) / 2), sqrt z = t + i im / (2t) for re >= 0 and
   * |im| / (2t) + i copysign(t, im) for re < 0; forming (|z| - re) / 2 directly would cancel.
   */
  sqrt(z: Parts): Parts {
    const im = z.im ?? this.zerosLike(z.re);
    const t = this.un("Sqrt", this.mul(this.c(0.5), this.add(this.abs(z), this.un("Abs", z.re))));
    const other = this.where(this.eq(t, this.c(0)), this.c(0), this.div(im, this.mul(this.c(2), t)));
    const nonNegative = this.ctx.op("GreaterOrEqual", [z.re, this.c(0)]);
    const signIm = this.where(this.ctx.op("Less", [im, this.c(0)]), this.c(-1), this.c(1));
    return {
      re: this.where(nonNegative, t, this.un("Abs", other)),
      im: this.where(nonNegative, other, this.mul(signIm, t)),
    };
  }

  /** z / |z|, 0 at 0. */
  sign(z: Parts): Parts {
    const r = this.abs(z);
    const zero = this.eq(r, this.c(0));
    const safe = this.where(zero, this.c(1), r);
    const scale = (v: Value): Value => this.where(zero, this.c(0), this.div(v, safe));
    return { re: scale(z.re), im: z.im && scale(z.im) };
  }
}
