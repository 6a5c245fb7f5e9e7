/**
 * `batch_norm_into_next_gemm`: a BatchNormalization on the [N, K] input of a Gemm folds forward
 * into that Gemm's weight and bias, as the BatchNorm after a MatMul folds backward into its
 * weights (fold-affine.ts). With inv = scale / sqrt(var + epsilon) and shift = B - mean * inv
 * (one value per input column k, BatchNormalization's channel axis 1 being Gemm's K axis):
 *   Gemm(BN(x), W, C) = (x * inv + shift) @ W + C = x @ (inv[:, None] * W) + (shift @ W + C).
 * Only where every product folds here (the weight, bias and statistics constants the converter
 * holds): for weights the host holds, or inside an ONNX function whose weights are inputs, the
 * products would stay as nodes on the weights (onnxruntime folds them at load). Measured on
 * examples/mlp_functions.py (Gelu -> BatchNorm -> Linear in the function) that way: 0.96-0.975x the
 * reference's latency against 0.99-1.00x with the BatchNormalization kept, for a function body of 15
 * nodes instead of 5, so the BatchNormalization stays there. Requires a plain Gemm (transA 0,
 * alpha = beta = 1), a rank-2 input, and the BatchNormalization read only by the Gemm.
 */
import { staticSize } from "../ir/dims";
import { attr, isKnown, type Node, type Value } from "../ir/ir";
import { MAX_FOLDED_ELEMENTS } from "../passes/fold-constants";
import { producer } from "./graph-reading";
import { op, v, type Bindings } from "./pattern";
import { reject, type CheckResult, type FusedNode, type FusionContext, type FusionRule } from "./rule";

/** The Gemm's input as a BatchNormalization with all five inputs, or null. */
function batchNormOf(b: Bindings): Node | null {
  const bn = producer(b.get("bn"), "BatchNormalization");
  return bn && bn.inputs.length === 5 && bn.inputs.every((i) => i !== null) ? bn : null;
}

function check(b: Bindings, ctx: FusionContext): CheckResult {
  const g = ctx.root;
  const bn = batchNormOf(b);
  if (!bn) return reject("the Gemm's input is not a BatchNormalization");
  const [x, w] = [bn.inputs[0]!, b.get("w")!];
  if ((g.attrs.transA?.value ?? 0) !== 0) return reject("the Gemm transposes its input");
  if ((g.attrs.alpha?.value ?? 1) !== 1 || (g.attrs.beta?.value ?? 1) !== 1) return reject("Gemm alpha or beta != 1");
  if (x.type.shape.length !== 2 || w.type.shape.length !== 2) return reject("not a rank-2 input and weight");
  if (bn.outputs.length !== 1 || (bn.attrs.training_mode?.value ?? 0) !== 0) return reject("not an inference BatchNormalization");
  if (ctx.readers(b.get("bn")!) !== 1) return reject("the BatchNormalization's result is read elsewhere too");
  const c = b.get("c");
  if (![w, ...(c ? [c] : []), ...bn.inputs.slice(1)].every((value) => value !== null && isKnown(value))) {
    return reject("the weights or statistics are not constants the converter holds: the fold would leave their products as nodes");
  }
  // fold-constants leaves larger products as nodes (it must not grow the file).
  if ((staticSize(w.type.shape) ?? Infinity) > MAX_FOLDED_ELEMENTS) return reject("the weight is too large for constant folding to scale it");
  return typeof w.type.shape[g.attrs.transB?.value === 1 ? 1 : 0] === "number" ? true : reject("the weight's input dimension is not static");
}

function rewrite(b: Bindings, ctx: FusionContext): FusedNode {
  const g = ctx.root;
  const bn = batchNormOf(b)!;
  const [x, scale, bnShift, mean, variance] = bn.inputs as Value[];
  const [w, c] = [b.get("w")!, b.get("c") ?? null];
  const transB = g.attrs.transB?.value === 1;
  const [k, n] = transB ? [w.type.shape[1] as number, w.type.shape[0]] : [w.type.shape[0] as number, w.type.shape[1]];
  const dtype = w.type.dtype;
  const vec = { dtype, shape: [k] };
  const epsilon = bn.attrs.epsilon?.value ?? 1e-5;
  const std = ctx.node("Sqrt", [ctx.node("Add", [variance, ctx.constant([epsilon as number], dtype, [])], {}, vec)], {}, vec);
  const inv = ctx.node("Div", [scale, std], {}, vec);
  // W's input axis: rows of a [K, N] weight, columns of a transposed [N, K] one.
  const perRow = transB ? inv : ctx.node("Reshape", [inv, ctx.constant([k, 1], "int64", [2])], {}, { dtype, shape: [k, 1] });
  const keepName = w.tensor !== null && ctx.readers(w) === 1 ? ctx.takeName(w) : undefined;
  const weight = ctx.node("Mul", [w, perRow], {}, w.type, keepName);
  const shift = ctx.node("Sub", [bnShift, ctx.node("Mul", [mean, inv], {}, vec)], {}, vec);
  // ONNX MatMul has numpy's 1-D semantics: [K] @ [K, N] and [N, K] @ [K] are both [N].
  const shifted = ctx.node("MatMul", transB ? [w, shift] : [shift, w], {}, { dtype, shape: [n] });
  // The folded weight and bias keep the Linear's module-path names (`linear.kernel`, `linear.bias`).
  const keepBias = c && c.tensor !== null && ctx.readers(c) === 1 ? ctx.takeName(c) : undefined;
  const bias = c ? ctx.node("Add", [c, shifted], {}, c.type.shape.length === 2 ? c.type : { dtype, shape: [n] }, keepBias) : shifted;
  return { op: "Gemm", inputs: [x, weight, bias], attrs: { ...g.attrs, ...(c ? {} : { beta: attr.float(1) }) } };
}

export const batchNormIntoNextGemm: FusionRule = { name: "batch_norm_into_next_gemm", minOpset: 13, pattern: op("Gemm", v("bn"), v("w"), v("c")), check, rewrite };

/** The same for a Gemm without C. */
export const batchNormIntoNextGemmNoBias: FusionRule = { ...batchNormIntoNextGemm, pattern: op("Gemm", v("bn"), v("w")) };
