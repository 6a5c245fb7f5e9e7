/**
 * Complex elementary functions on parts (docs/complex.md), as JAX defines them (principal
 * branches, C99 Annex G signs of zero on the cuts), in formulas that avoid the cancellation and
 * overflow of the textbook ones where that costs little:
 *  - sin, cos, sinh, cosh from the real parts' sin/cos/sinh/cosh;
 *  - tanh by Kahan's formula ("Branch cuts for complex elementary functions", 1987): with
 *    t = tan b, s = sinh a, tanh(a + ib) = (s sqrt(1 + s^2) (1 + t^2) + i t) / (1 + (1 + t^2) s^2),
 *    and (sign a, 4 sin b cos b e^(-2|a|)) once |a| > 20 (tanh 20 rounds to 1 in float64);
 *    tan z = -i tanh(iz);
 *  - asin, acos by Hull, Fairgrieve and Tang ("Implementing the complex arcsine and arccosine
 *    functions using exception handling", ACM TOMS 23, 1997), without their overflow branches
 *    (|z| beyond ~1e150 in float64, ~1e18 in float32); asinh z = -i asin(iz), acosh from acos.
 *    On the cuts JAX (XLA's CPU kernels) does not follow C99 for a zero imaginary part: the
 *    side is chosen by y < 0, so -0 counts as +0 (asin(2 - 0i) = pi/2 + 1.317i, C99's is
 *    -1.317i), and likewise asinh's real part by x < 0; only the part computed by an atan2 keeps
 *    the sign of a zero (measured against jax 0.10.2: complex_functions cases);
 *  - rsqrt in polar form, |z|^(-1/2) (cos(-t/2) + i sin(-t/2)) with t = atan2(y, x), which is
 *    what JAX computes (it keeps y's zero sign where JAX's sqrt does not, so 1 / sqrt(z) differs
 *    on the negative real axis);
 *  - atanh by re = log1p(4x / ((1 - x)^2 + y^2)) / 4, im = atan2(2y, (1 - x)(1 + x) - y^2) / 2;
 *    atan z = -i atanh(iz);
 *  - expm1 with re = expm1(x) cos y - 2 sin^2(y / 2) (no cancellation near 0), log1p with
 *    re = log1p(2x + x^2 + y^2) / 2.
 */
import type { Value } from "../ir/ir";
import type { ComplexMath, Parts } from "./complex-parts";

type Fn = (m: ComplexMath, z: Parts) => Parts;

const imOf = (m: ComplexMath, z: Parts): Value => z.im ?? m.zerosLike(z.re);

/** -i w for w = (re, im): (im, -re). */
const timesMinusI = (m: ComplexMath, w: Parts): Parts => ({ re: imOf(m, w), im: m.un("Neg", w.re) });

/** iz = (-im, re). */
const timesI = (m: ComplexMath, z: Parts): Parts => ({ re: m.un("Neg", imOf(m, z)), im: z.re });

export const sin: Fn = (m, z) => {
  const y = imOf(m, z);
  return { re: m.mul(m.un("Sin", z.re), m.un("Cosh", y)), im: m.mul(m.un("Cos", z.re), m.un("Sinh", y)) };
};

export const cos: Fn = (m, z) => {
  const y = imOf(m, z);
  return { re: m.mul(m.un("Cos", z.re), m.un("Cosh", y)), im: m.un("Neg", m.mul(m.un("Sin", z.re), m.un("Sinh", y))) };
};

export const sinh: Fn = (m, z) => {
  const y = imOf(m, z);
  return { re: m.mul(m.un("Sinh", z.re), m.un("Cos", y)), im: m.mul(m.un("Cosh", z.re), m.un("Sin", y)) };
};

export const cosh: Fn = (m, z) => {
  const y = imOf(m, z);
  return { re: m.mul(m.un("Cosh", z.re), m.un("Cos", y)), im: m.mul(m.un("Sinh", z.re), m.un("Sin", y)) };
};

export const tanh: Fn = (m, z) => {
  const [a, b] = [z.re, imOf(m, z)];
  const t = m.un("Tan", b);
  const beta = m.add(m.c(1), m.mul(t, t));
  const s = m.un("Sinh", a);
  const rho = m.un("Sqrt", m.add(m.c(1), m.mul(s, s)));
  const d = m.add(m.c(1), m.mul(beta, m.mul(s, s)));
  const far = m.gt(m.un("Abs", a), m.c(20));
  const farIm = m.mul(m.c(4), m.mul(m.mul(m.un("Sin", b), m.un("Cos", b)), m.un("Exp", m.mul(m.c(-2), m.un("Abs", a)))));
  return {
    re: m.where(far, m.un("Sign", a), m.div(m.mul(beta, m.mul(rho, s)), d)),
    im: m.where(far, farIm, m.div(t, d)),
  };
};

export const tan: Fn = (m, z) => timesMinusI(m, tanh(m, timesI(m, z)));

/** The magnitudes Hull et al. compute for asin / acos of (|x|, |y|): re of asin and acos, |im|. */
function hull(m: ComplexMath, z: Parts): { asinRe: Value; acosRe: Value; im: Value } {
  const X = m.un("Abs", z.re);
  const Y = m.un("Abs", imOf(m, z));
  const one = m.c(1);
  const r = m.abs({ re: m.add(X, one), im: Y });
  const s = m.abs({ re: m.sub(X, one), im: Y });
  const A = m.mul(m.c(0.5), m.add(r, s));
  const B = m.div(X, A);
  const apx = m.add(A, X);
  const y2 = m.mul(Y, Y);
  const rx1 = m.add(r, m.add(X, one));
  const inside = m.b.op("LessOrEqual", [X, one]);
  // X <= 1: sqrt((A + X) / 2 * (Y^2 / (r + X + 1) + s + (1 - X))); X > 1: Y sqrt((A + X) / 2 * (1 / (r + X + 1) + 1 / (s + X - 1))).
  const q1 = m.un("Sqrt", m.mul(m.mul(m.c(0.5), apx), m.add(m.div(y2, rx1), m.add(s, m.sub(one, X)))));
  const q2 = m.mul(Y, m.un("Sqrt", m.mul(m.c(0.5), m.add(m.div(apx, rx1), m.div(apx, m.add(s, m.sub(X, one)))))));
  const q = m.where(inside, q1, q2);
  const smallB = m.b.op("LessOrEqual", [B, m.c(0.6417)]);
  const asinRe = m.where(smallB, m.un("Asin", B), m.un("Atan", m.div(X, q)));
  const acosRe = m.where(smallB, m.un("Acos", B), m.un("Atan", m.div(q, X)));
  // A - 1 without cancellation, for A <= 1.5.
  const am1 = m.mul(m.c(0.5), m.add(m.div(y2, rx1), m.where(m.lt(X, one), m.div(y2, m.add(s, m.sub(one, X))), m.add(s, m.sub(X, one)))));
  const nearOne = m.log1p(m.add(am1, m.un("Sqrt", m.mul(am1, m.add(A, one)))));
  const far = m.un("Log", m.add(A, m.un("Sqrt", m.sub(m.mul(A, A), one))));
  return { asinRe, acosRe, im: m.where(m.b.op("LessOrEqual", [A, m.c(1.5)]), nearOne, far) };
}

/** Whether y is on the negative side of a cut, as JAX decides it: y < 0 (a -0 is on the positive side). */
const belowCut = (m: ComplexMath, y: Value): Value => m.lt(y, m.c(0));

export const asin: Fn = (m, z) => {
  const { asinRe, im } = hull(m, z);
  return { re: m.copySign(asinRe, m.signBit(z.re)), im: m.copySign(im, belowCut(m, imOf(m, z))) };
};

/** acos z: real part in [0, pi] (pi - acos(|x|...) for x with its sign bit set), imaginary part of the opposite sign to y. */
function acosParts(m: ComplexMath, z: Parts): { re: Value; im: Value; negY: Value } {
  const { acosRe, im } = hull(m, z);
  const negY = belowCut(m, imOf(m, z));
  return { re: m.where(m.signBit(z.re), m.sub(m.c(Math.PI), acosRe), acosRe), im, negY };
}

export const acos: Fn = (m, z) => {
  const { re, im, negY } = acosParts(m, z);
  return { re, im: m.copySign(im, m.b.op("Not", [negY])) };
};

export const asinh: Fn = (m, z) => timesMinusI(m, asin(m, timesI(m, z)));

/** acosh z = (|im acos z|, re acos z with y's sign): the branch with a non-negative real part. */
export const acosh: Fn = (m, z) => {
  const { re, im, negY } = acosParts(m, z);
  return { re: im, im: m.copySign(re, negY) };
};

export const atanh: Fn = (m, z) => {
  const [x, y] = [z.re, imOf(m, z)];
  const one = m.c(1);
  const omx = m.sub(one, x);
  const re = m.mul(m.c(0.25), m.log1p(m.div(m.mul(m.c(4), x), m.add(m.mul(omx, omx), m.mul(y, y)))));
  const im = m.mul(m.c(0.5), m.atan2(m.mul(m.c(2), y), m.sub(m.mul(omx, m.add(one, x)), m.mul(y, y))));
  return { re, im };
};

export const atan: Fn = (m, z) => timesMinusI(m, atanh(m, timesI(m, z)));

/** expm1 of a real x: (e^x - 1) x / log(e^x) (Kahan), exact near 0 where e^x - 1 cancels. */
function realExpm1(m: ComplexMath, x: Value): Value {
  const u = m.un("Exp", x);
  const general = m.div(m.mul(m.sub(u, m.c(1)), x), m.un("Log", u));
  return m.where(m.eq(u, m.c(1)), x, m.where(m.un("IsInf", u), u, m.where(m.eq(u, m.c(0)), m.c(-1), general)));
}

export const expm1: Fn = (m, z) => {
  const [x, y] = [z.re, imOf(m, z)];
  const half = m.un("Sin", m.mul(m.c(0.5), y));
  return {
    re: m.sub(m.mul(realExpm1(m, x), m.un("Cos", y)), m.mul(m.c(2), m.mul(half, half))),
    im: m.mul(m.un("Exp", x), m.un("Sin", y)),
  };
};

export const log1p: Fn = (m, z) => {
  const [x, y] = [z.re, imOf(m, z)];
  const re = m.mul(m.c(0.5), m.log1p(m.add(m.mul(x, m.add(m.c(2), x)), m.mul(y, y))));
  return { re, im: m.atan2(y, m.add(m.c(1), x)) };
};

/** rsqrt(0) is inf + nan i in JAX, whatever the zeros' signs (the polar form would give cos(pi/2)'s sign to the infinity). */
export const rsqrt: Fn = (m, z) => {
  const r = m.abs(z);
  const scale = m.un("Reciprocal", m.un("Sqrt", r));
  const half = m.mul(m.c(-0.5), m.atan2(imOf(m, z), z.re));
  const zero = m.eq(r, m.c(0));
  return { re: m.where(zero, m.c(Infinity), m.mul(scale, m.un("Cos", half))), im: m.where(zero, m.c(NaN), m.mul(scale, m.un("Sin", half))) };
};
