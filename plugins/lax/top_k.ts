/**
 * lax.top_k(x, k, axis) and lax.approx_max_k / approx_min_k (primitive approx_top_k) -> ONNX
 * TopK. Both take the lower index first among equal values, as JAX does (ONNX TopK spec;
 * lax.top_k docs). Indices are int64 in ONNX, int32 in JAX: cast.
 *
 * approx_top_k: the exact top k is a valid answer for any recall_target (what XLA's CPU
 * backend returns), so it lowers to the same TopK. With aggregate_to_topk=False JAX returns
 * more than k candidates (the output's size along the axis); those are the exact top ones too.
 *
 * NaN: JAX's top_k orders NaN above +inf. TopK's comparison of NaN is unspecified, so floats
 * are ranked with NaN replaced by +inf and the values read back from x by index: NaNs then
 * rank with the infinities, by index among them. Also, JAX orders +0.0 above -0.0 and ONNX
 * sees them equal (by index). approx_top_k on JAX's CPU backend does not order NaNs at all.
 */
import { isFloat, onnxTypeCode, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { castTo, kernelDtype } from "../shared/kernel_dtypes";

function topK(ctx: LoweringContext, k: number, axis: number, largest: boolean): Value[] {
  const x = ctx.input(0);
  const rank = x.type.shape.length;
  const at = axis < 0 ? axis + rank : axis;
  const dtype = x.type.dtype;
  if (dtype === "uint64") ctx.fail("top_k of uint64 is not supported: onnxruntime's TopK has no uint64 kernel and int64 does not keep their order");
  const ranked = isFloat(dtype)
    ? ctx.op("Where", [ctx.op("IsNaN", [x]), ctx.scalar(largest ? Infinity : -Infinity, dtype), x])
    : castTo(ctx, x, kernelDtype("TopK", dtype));
  const [values, indices] = ctx.ops("TopK", [ranked, ctx.int64s([k])], { axis: at, largest: largest ? 1 : 0, sorted: 1 });
  const out = isFloat(dtype) ? ctx.op("GatherElements", [x, indices], { axis: at }) : castTo(ctx, values, dtype);
  return [out, ctx.op("Cast", [indices], { to: onnxTypeCode(ctx.outAval(1).dtype) })];
}

export const topKRule: LoweringRule = {
  primitive: "top_k",
  onnxOps: ["TopK", "Cast", "IsNaN", "Where", "GatherElements"],
  lower: (ctx) => topK(ctx, ctx.params.int("k"), ctx.params.has("axis") ? ctx.params.int("axis") : -1, true),
};

export const approxTopKRule: LoweringRule = {
  primitive: "approx_top_k",
  onnxOps: ["TopK", "Cast", "IsNaN", "Where", "GatherElements"],
  lower(ctx) {
    const axis = ctx.params.int("reduction_dimension");
    const shape = ctx.outAval(0).shape;
    const k = shape[axis < 0 ? axis + shape.length : axis];
    return topK(ctx, typeof k === "number" ? k : ctx.fail("approx_top_k with a symbolic output size is not supported"), axis, ctx.params.bool("is_max_k"));
  },
};
