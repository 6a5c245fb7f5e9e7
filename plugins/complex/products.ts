/**
 * Complex lax.reduce_prod and lax.cumprod (the registry's complex table, docs/complex.md). ONNX
 * has no complex product, so both multiply parts pairwise, (ar br - ai bi) + i (ar bi + ai br):
 *  - reduce_prod: per reduced axis, the first half of the axis times the second half until one
 *    element is left (an odd one out rides along): log2(n) rounds of products;
 *  - cumprod: the inclusive scan of Hillis and Steele: at shift s = 1, 2, 4, ... every element
 *    times the one s before it (1 + 0i before the start; after it for reverse=True).
 * Both need the axis length statically (the number of rounds depends on it). JAX multiplies in
 * another order, so results agree to rounding, not bit for bit.
 */
import { ComplexMath, componentDtype, type LoweringContext, type LoweringRule, type Parts, type Value } from "../../src/core";

const END = Number.MAX_SAFE_INTEGER;

function staticLength(ctx: LoweringContext, z: Parts, axis: number, what: string): number {
  const n = z.re.type.shape[axis];
  return typeof n === "number" ? n : ctx.fail(`${what} of complex values along a symbolic axis (${n}) is not supported: the axis length must be static`);
}

function slice(ctx: LoweringContext, z: Parts, axis: number, start: number, end: number): Parts {
  const s = (v: Value): Value => ctx.op("Slice", [v, ctx.int64s([start]), ctx.int64s([end]), ctx.int64s([axis])]);
  return { re: s(z.re), im: z.im && s(z.im) };
}

/** Product along `axis` (kept, as length 1). */
function productAlong(ctx: LoweringContext, m: ComplexMath, z: Parts, axis: number): Parts {
  let n = staticLength(ctx, z, axis, "reduce_prod");
  if (n === 0) {
    const shape = z.re.type.shape.map((d, i) => (i === axis ? 1 : d));
    return { re: ctx.op("Expand", [m.c(1), ctx.shape(shape)]), im: null };
  }
  let acc = z;
  while (n > 1) {
    const half = Math.floor(n / 2);
    const product = m.mulParts(slice(ctx, acc, axis, 0, half), slice(ctx, acc, axis, half, 2 * half));
    if (n % 2 === 0) acc = product;
    else {
      const rest = slice(ctx, acc, axis, 2 * half, END);
      const join = (a: Value, b: Value): Value => ctx.op("Concat", [a, b], { axis });
      acc = { re: join(product.re, rest.re), im: join(product.im ?? m.zerosLike(product.re), rest.im ?? m.zerosLike(rest.re)) };
    }
    n = half + (n % 2);
  }
  return acc;
}

export const complexReduceProdRule: LoweringRule = {
  primitive: "reduce_prod",
  onnxOps: ["Gather", "Slice", "Mul", "Sub", "Add", "Concat", "Squeeze", "Unsqueeze"],
  lower(ctx) {
    const m = new ComplexMath(ctx, componentDtype(ctx.outAval().dtype));
    const axes = ctx.params.ints("axes");
    let z = m.split(ctx.input(0));
    for (const axis of axes) z = productAlong(ctx, m, z, axis);
    if (!axes.length) return m.pack(z);
    const squeeze = (v: Value): Value => ctx.op("Squeeze", [v, ctx.int64s([...axes])]);
    return m.pack({ re: squeeze(z.re), im: z.im && squeeze(z.im) });
  },
};

export const complexCumprodRule: LoweringRule = {
  primitive: "cumprod",
  onnxOps: ["Gather", "Pad", "Slice", "Mul", "Sub", "Add", "Unsqueeze", "Concat"],
  lower(ctx) {
    const m = new ComplexMath(ctx, componentDtype(ctx.outAval().dtype));
    const axis = ctx.params.int("axis");
    const reverse = ctx.params.bool("reverse");
    let z = m.split(ctx.input(0));
    const n = staticLength(ctx, z, axis, "cumprod");
    const rank = z.re.type.shape.length;
    // Each element's partner s places before it (after, reversed): padded with the identity 1 + 0i.
    const shifted = (v: Value, s: number, fill: number): Value => {
      const pads = new Array<number>(2 * rank).fill(0);
      pads[reverse ? rank + axis : axis] = s;
      const padded = ctx.op("Pad", [v, ctx.int64s(pads), m.c(fill)]);
      return ctx.op("Slice", [padded, ctx.int64s([reverse ? s : 0]), ctx.int64s([reverse ? s + n : n]), ctx.int64s([axis])]);
    };
    for (let s = 1; s < n; s *= 2) {
      const im = z.im ?? m.zerosLike(z.re);
      z = m.mulParts({ re: z.re, im }, { re: shifted(z.re, s, 1), im: shifted(im, s, 0) });
    }
    return m.pack(z);
  },
};
