/**
 * lax.fft (jnp.fft.fft/ifft/rfft/irfft and their 2-D and n-D forms) in the complex table: values
 * travel as [..., 2] real pairs (docs/complex.md), which is also the layout of ONNX DFT's complex
 * input and output. `fft_type` FFT / IFFT transform the trailing len(fft_lengths) axes, RFFT takes
 * a real input and keeps the n // 2 + 1 non-negative frequencies of the last axis, IRFFT is its
 * inverse (a real result of fft_lengths); inverses carry numpy's 1 / n, as ONNX DFT's do.
 *
 * One axis at a time (a multi-dimensional DFT is the 1-D DFTs along each axis in turn):
 *  - a power-of-two length is one ONNX DFT (opset 17: axis attribute; opset 20: axis input);
 *  - other lengths go through Bluestein's chirp z-transform (L. Bluestein, 1970): with
 *    c_m = exp(s pi i m^2 / n), s = -1 forward and +1 inverse, nk = (n^2 + k^2 - (k - n)^2) / 2
 *    gives X_k = c_k sum_j (x_j c_j) conj(c_{k-j}), a circular convolution of length
 *    M >= 2n - 1 (a power of two) done by DFT, product, inverse DFT. onnxruntime's own DFT of
 *    such lengths is a direct sum whose error grows with n (measured, float32 vs numpy: 2e-5
 *    relative at n = 100, 2e-4 at n = 1000; power-of-two lengths 5e-7 up to 4096; through
 *    Bluestein 1e-6); the chirps are computed in double from m^2 mod 2n, so they are exact to
 *    the dtype whatever n.
 *  - IRFFT's last axis: the full spectrum is rebuilt from Hermitian symmetry,
 *    X_{n-k} = conj(X_k) for k = 1 .. n - n // 2 - 1, inverted, and its real part kept (the
 *    imaginary parts of X_0 and of X_{n/2} drop out, as in numpy's c2r transforms).
 */
import { ComplexMath, componentDtype, isComplex, type Dim, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";

type FftType = "FFT" | "IFFT" | "RFFT" | "IRFFT";

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

class Transform {
  readonly m: ComplexMath;
  constructor(
    readonly ctx: LoweringContext,
    readonly dtype: DType,
  ) {
    this.m = new ComplexMath(ctx, dtype);
  }

  /** `p` ([..., 2] pairs, or [..., 1] reals with onesided) with `axis` of length `n`. */
  private dftNode(p: Value, axis: number, n: number, opts: { inverse?: boolean; onesided?: boolean; length?: number } = {}): Value {
    const shape = [...p.type.shape];
    const length = opts.length ?? n;
    shape[axis] = opts.onesided ? Math.floor(length / 2) + 1 : length;
    shape[shape.length - 1] = 2;
    const attrs = { inverse: opts.inverse ? 1 : 0, onesided: opts.onesided ? 1 : 0 };
    const dftLength = opts.length === undefined ? null : this.ctx.scalar(opts.length, "int64");
    const types = [{ dtype: this.dtype, shape }];
    if (this.ctx.opset >= 20) return this.ctx.op("DFT", [p, dftLength, this.ctx.scalar(axis, "int64")], attrs, { types });
    return this.ctx.op("DFT", [p, dftLength], { ...attrs, axis }, { types });
  }

  /** The complex 1-D DFT (or its inverse, with 1 / n) of pairs `p` along `axis` of length n. */
  dft(p: Value, axis: number, n: number, inverse: boolean): Value {
    return isPowerOfTwo(n) ? this.dftNode(p, axis, n, { inverse }) : this.bluestein(p, axis, n, inverse);
  }

  /** A constant [len, 1 .., 1, 2] of pairs, aligned with `axis` of a rank-`rank` pair tensor. */
  private pairsAlong(values: [number, number][], axis: number, rank: number): Value {
    const shape = [values.length, ...new Array<number>(rank - axis - 2).fill(1), 2];
    return this.ctx.constant(values.flat(), this.dtype, shape);
  }

  /** c_m = exp(s pi i m^2 / n) for m = 0 .. count - 1, from m^2 mod 2n (exact in double). */
  private chirp(n: number, count: number, sign: number): [number, number][] {
    return Array.from({ length: count }, (_, j) => {
      const angle = (sign * Math.PI * Number((BigInt(j) * BigInt(j)) % BigInt(2 * n))) / n;
      return [Math.cos(angle), Math.sin(angle)];
    });
  }

  private times(p: Value, c: Value): Value {
    return this.m.pack(this.m.mulParts(this.m.split(p), this.m.split(c)));
  }

  private bluestein(p: Value, axis: number, n: number, inverse: boolean): Value {
    const rank = p.type.shape.length;
    let size = 1;
    while (size < 2 * n - 1) size *= 2;
    const sign = inverse ? 1 : -1;
    const c = this.chirp(n, n, sign);
    // b_m = conj(c_m) on m = -(n-1) .. n-1, laid out circularly in `size`.
    const b: [number, number][] = Array.from({ length: size }, () => [0, 0]);
    c.forEach(([re, im], j) => {
      b[j] = [re, -im];
      if (j > 0) b[size - j] = [re, -im];
    });
    const spectrumOfB = this.dftNode(this.pairsAlong(b, 0, 2), 0, size);
    const bAligned = this.ctx.op("Reshape", [spectrumOfB, this.ctx.int64s([size, ...new Array<number>(rank - axis - 2).fill(1), 2])]);
    const weighted = this.times(p, this.pairsAlong(c, axis, rank));
    const spectrum = this.dftNode(weighted, axis, n, { length: size });
    const convolved = this.dftNode(this.times(spectrum, bAligned), axis, size, { inverse: true });
    const head = this.ctx.op("Slice", [convolved, this.ctx.int64s([0]), this.ctx.int64s([n]), this.ctx.int64s([axis])]);
    const out = this.times(head, this.pairsAlong(c, axis, rank));
    return inverse ? this.ctx.op("Mul", [out, this.ctx.scalar(1 / n, this.dtype)]) : out;
  }

  /** The n // 2 + 1 non-negative frequencies of real `x` ([..., n]) along its last axis. */
  rfftLast(x: Value, n: number): Value {
    const axis = x.type.shape.length - 1;
    const reals = this.ctx.op("Unsqueeze", [x, this.ctx.int64s([-1])]);
    if (isPowerOfTwo(n)) return this.dftNode(reals, axis, n, { onesided: true });
    const pairs = this.m.pack({ re: x, im: null });
    const full = this.bluestein(pairs, axis, n, false);
    return this.ctx.op("Slice", [full, this.ctx.int64s([0]), this.ctx.int64s([Math.floor(n / 2) + 1]), this.ctx.int64s([axis])]);
  }

  /** The real signal of length n whose non-negative frequencies are pairs `p` (last logical axis). */
  irfftLast(p: Value, n: number): Value {
    const axis = p.type.shape.length - 2;
    const mirrored = n - Math.floor(n / 2) - 1;
    let full = p;
    if (mirrored > 0) {
      // X_{n-k} = conj(X_k): X_{mirrored}, ..., X_1 reversed in order.
      const tail = this.ctx.op("Slice", [p, this.ctx.int64s([mirrored]), this.ctx.int64s([0]), this.ctx.int64s([axis]), this.ctx.int64s([-1])]);
      const conj = this.ctx.op("Mul", [tail, this.ctx.constant([1, -1], this.dtype, [2])]);
      const shape: Dim[] = [...p.type.shape];
      shape[axis] = n;
      full = this.ctx.op("Concat", [p, conj], { axis }, { types: [{ dtype: this.dtype, shape }] });
    }
    const signal = this.dft(full, axis, n, true);
    return this.m.split(signal).re;
  }
}

export const fftRule: LoweringRule = {
  primitive: "fft",
  onnxOps: ["DFT", "Mul", "Slice", "Concat", "Gather"],
  minOpset: 17,
  lower(ctx) {
    if (ctx.opset < 17) ctx.fail(`fft needs ONNX DFT, which opset ${ctx.opset} lacks: convert with opset >= 17`);
    const kind = ctx.params.enumName("fft_type") as FftType;
    const lengths = ctx.params.ints("fft_lengths");
    const complexAval = isComplex(ctx.inAval(0).dtype) ? ctx.inAval(0) : ctx.outAval();
    const t = new Transform(ctx, componentDtype(complexAval.dtype));
    const logicalRank = ctx.inAval(0).shape.length;
    // ONNX DFT transforms an axis after a batch axis: give a rank-k transform of a rank-k array one.
    const batched = logicalRank === lengths.length;
    let x = batched ? ctx.op("Unsqueeze", [ctx.input(0), ctx.int64s([0])]) : ctx.input(0);
    const rank = logicalRank + (batched ? 1 : 0);
    const axes = lengths.map((_, i) => rank - lengths.length + i);
    const last = axes.length - 1;
    if (kind === "FFT" || kind === "IFFT") {
      axes.forEach((axis, i) => (x = t.dft(x, axis, lengths[i], kind === "IFFT")));
    } else if (kind === "RFFT") {
      x = t.rfftLast(x, lengths[last]);
      axes.slice(0, last).forEach((axis, i) => (x = t.dft(x, axis, lengths[i], false)));
    } else if (kind === "IRFFT") {
      const have = ctx.inAval(0).shape[logicalRank - 1];
      if (have !== Math.floor(lengths[last] / 2) + 1) ctx.fail(`irfft of length ${lengths[last]} needs ${Math.floor(lengths[last] / 2) + 1} frequencies, got ${have}`);
      axes.slice(0, last).forEach((axis, i) => (x = t.dft(x, axis, lengths[i], true)));
      x = t.irfftLast(x, lengths[last]);
    } else {
      ctx.fail(`fft_type ${String(kind)} is not one of FFT, IFFT, RFFT, IRFFT`);
    }
    return batched ? ctx.op("Squeeze", [x, ctx.int64s([0])]) : x;
  },
};
