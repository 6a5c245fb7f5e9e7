/**
 * lax.cumprod, cummax, cummin and cumlogsumexp (axis, reverse), beside cumsum (cumsum.ts).
 *
 * ONNX has CumProd only from opset 26 and no cumulative max/min/logsumexp, so these are a
 * Hillis-Steele scan: ceil(log2 n) steps, each combining the running value with itself shifted by
 * 2**k along the axis (the vacated places take the combine's identity). XLA's own CPU lowering is
 * an associative scan too, so float products round alike up to order (rtol 1e-5 holds). The
 * shift is Pad + Slice, so it needs the axis length statically; other axes may be symbolic.
 */
import { isFloat, isSignedInt, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { bitWidth } from "./bits";
import { cast, opWithKernel } from "./kernel_dtypes";

type Combine = (ctx: LoweringContext, a: Value, b: Value) => Value;

export interface Scan {
  readonly identity: (dtype: DType) => number | bigint;
  readonly combine: Combine;
}

function extreme(dtype: DType, top: boolean): number | bigint {
  if (isFloat(dtype)) return top ? Infinity : -Infinity;
  const w = bitWidth(dtype);
  if (isSignedInt(dtype)) return top ? 2n ** BigInt(w - 1) - 1n : -(2n ** BigInt(w - 1));
  return top ? 2n ** BigInt(w) - 1n : 0;
}

/** log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)); equal infinities give themselves. */
const logAddExp: Combine = (ctx, a, b) => {
  const dtype = a.type.dtype;
  const hi = ctx.op("Max", [a, b]);
  const gap = ctx.op("Neg", [ctx.op("Abs", [ctx.op("Sub", [a, b])])]);
  const sum = ctx.op("Add", [hi, ctx.op("Log", [ctx.op("Add", [ctx.op("Exp", [gap]), ctx.scalar(1, dtype)])])]);
  // -inf with -inf (or inf with inf) has a NaN gap; the answer is that infinity.
  return ctx.op("Where", [ctx.op("And", [ctx.op("Equal", [a, b]), ctx.op("IsInf", [a])]), a, sum]);
};

const SCANS: Record<string, Scan> = {
  cumprod: { identity: () => 1, combine: (ctx, a, b) => ctx.op("Mul", [a, b]) },
  cummax: { identity: (d) => extreme(d, false), combine: (ctx, a, b) => opWithKernel(ctx, "Max", [a, b]) },
  cummin: { identity: (d) => extreme(d, true), combine: (ctx, a, b) => opWithKernel(ctx, "Min", [a, b]) },
  cumlogsumexp: { identity: () => -Infinity, combine: logAddExp },
};

/** x shifted by `by` along `axis` (toward the end, or the start when reversed), filled with `fill`. */
function shifted(ctx: LoweringContext, x: Value, axis: number, by: number, reverse: boolean, fill: Value): Value {
  const rank = x.type.shape.length;
  const pads = new Array<number>(2 * rank).fill(0);
  pads[reverse ? rank + axis : axis] = by;
  const padded = opWithKernel(ctx, "Pad", [x, ctx.int64s(pads), fill]);
  const [start, end] = reverse ? [by, Number.MAX_SAFE_INTEGER] : [0, -by];
  return ctx.op("Slice", [padded, ctx.int64s([start]), ctx.int64s([end]), ctx.int64s([axis])]);
}

/** The inclusive scan of `combine` along `axis` (static length), forward or from the end. */
export function associativeScan(ctx: LoweringContext, x: Value, axis: number, scan: Scan, reverse: boolean, what: string): Value {
  const n = x.type.shape[axis];
  if (typeof n !== "number") return ctx.fail(`${what} along a dimension of symbolic size ${n ?? "?"}: the scan needs its length`);
  const fill = ctx.scalar(scan.identity(x.type.dtype), x.type.dtype);
  let y = x;
  for (let by = 1; by < n; by *= 2) y = scan.combine(ctx, y, shifted(ctx, y, axis, by, reverse, fill));
  return y;
}

export const PRODUCT_SCAN: Scan = SCANS.cumprod;

const cumulative = (primitive: string): LoweringRule => ({
  primitive,
  onnxOps: primitive === "cumprod" ? ["CumProd", "Pad", "Slice", "Mul"] : ["Pad", "Slice", "Max", "Min", "Exp", "Log", "Where"],
  lower(ctx) {
    const input = ctx.input(0);
    const axis = ctx.params.int("axis");
    const reverse = ctx.params.bool("reverse");
    if (primitive === "cumprod" && ctx.opset >= 26) {
      return opWithKernel(ctx, "CumProd", [input, ctx.scalar(axis, "int64")], { reverse: reverse ? 1 : 0 });
    }
    // Bools scan as uint8 (max is or, min is and; ONNX Pad/Max take no bool).
    const x = input.type.dtype === "bool" ? cast(ctx, input, "uint8") : input;
    const y = associativeScan(ctx, x, axis, SCANS[primitive], reverse, primitive);
    return cast(ctx, y, input.type.dtype);
  },
});

export const CUMULATIVE_RULES: LoweringRule[] = ["cumprod", "cummax", "cummin", "cumlogsumexp"].map(cumulative);
