/**
 * Scaled-dot-product attention as one ONNX Attention node (opset 23), for the 4-D form JAX
 * programs write by hand (examples/vit_tiny.py, examples/gpt.py):
 *   softmax(Q @ Kᵀ * scale [masked], axis=-1) @ V,   Q [B,H,S,D], K [B,H,T,D], V [B,H,T,Dv],
 * as our rules lower it after the softmax fusion: MatMul(Q, Transpose(K)), a Div or Mul by a
 * constant, an optional mask (attention-parts.ts), Softmax over the last axis, MatMul with V.
 * A boolean mask that is jnp.tril's causal one (causal-mask.ts) becomes is_causal = 1.
 * jax.nn.dot_product_attention's Einsum form is attention-einsum.ts.
 */
import { attr, type Node, type Value } from "../ir/ir";
import { op, v } from "./pattern";
import { producer } from "./graph-reading";
import { isCausalMask } from "./causal-mask";
import { attentionSteps, failed, finish, maskedLogits, maskProblem, operandOf, PREVIOUS, sameDim, scaledScores, unexpanded, type Found, type Mask, type Operand, type Step } from "./attention-parts";
import { attentionEinsum } from "./attention-einsum";
import { attention3d, attention3dMasked } from "./attention-3d";
import { reject, type CheckResult, type FusedNode, type FusionContext, type FusionRule } from "./rule";

interface AttentionParts {
  readonly q: Value;
  /** Kᵀ as the first MatMul reads it ([B,H,D,T]). */
  readonly kt: Value;
  readonly v: Value;
  readonly scale: number;
  readonly mask: Mask | null;
  /** The mask was jnp.tril's causal one (S = T): is_causal instead of a mask input. */
  readonly causal: boolean;
}

function attentionParts(root: Node, ctx: FusionContext): Found<AttentionParts> {
  const [probs, vv] = root.inputs;
  const softmax = producer(probs, "Softmax");
  if (!probs || !vv || !softmax?.inputs[0]) return { reason: "not softmax(...) @ V" };
  const rank = probs.type.shape.length;
  if (rank !== 4 || vv.type.shape.length !== 4) return { reason: `rank-${rank} attention weights: ONNX Attention takes 4-D [batch, heads, seq, head_dim]` };
  const axis = softmax.attrs.axis?.type === "int" ? softmax.attrs.axis.value : -1;
  if (axis !== -1 && axis !== rank - 1) return { reason: "the softmax is not over the last (key) axis" };
  const logits = softmax.inputs[0];
  const masked = maskedLogits(logits);
  if (failed(masked)) return masked;
  const scaled = scaledScores(masked.scaled);
  if (failed(scaled)) return scaled;
  const qk = producer(scaled.scores, "MatMul");
  if (!qk?.inputs[0] || !qk.inputs[1]) return { reason: "the scores are not a MatMul Q @ Kᵀ" };
  const [q, kt] = qk.inputs as [Value, Value];
  if (q.type.shape.length !== 4 || kt.type.shape.length !== 4) return { reason: "Q or Kᵀ is not 4-D" };
  const [qs, ks, vs] = [q.type.shape, kt.type.shape, vv.type.shape];
  if (!(sameDim(qs[0], ks[0]) && sameDim(qs[1], ks[1]) && sameDim(qs[0], vs[0]) && sameDim(qs[1], vs[1]))) {
    return { reason: "Q, K and V do not share batch and head dims (the MatMuls broadcast); Attention needs them equal" };
  }
  for (const x of [probs, logits, masked.scaled, scaled.scores]) {
    if (ctx.readers(x) !== 1) return { reason: "the scores or attention weights are read elsewhere too" };
  }
  const mask = masked.mask;
  const ss = scaled.scores.type.shape;
  if (mask?.kind === "bool" && !mask.negate && sameDim(ss[2], ss[3]) && isCausalMask(unexpanded(mask.value), ss[2])) {
    return { q, kt, v: vv, scale: scaled.scale, mask: null, causal: true };
  }
  if (mask) {
    const why = maskProblem(mask, unexpanded(mask.value).type.shape, ss, q.type.dtype);
    if (why) return { reason: why };
  }
  return { q, kt, v: vv, scale: scaled.scale, mask, causal: false };
}

/** K from Kᵀ: through the Transpose that made Kᵀ (composed with the swap of its last two axes), else Kᵀ swapped. */
function keyOperand(kt: Value): Operand {
  const { src, perm: p } = operandOf(kt);
  return { src, perm: [p[0], p[1], p[3], p[2]] };
}

export const attention: FusionRule = {
  name: "attention",
  minOpset: 23,
  pattern: op("MatMul", v("probs"), v("v")),
  check(_b, ctx): CheckResult {
    const parts = attentionParts(ctx.root, ctx);
    return failed(parts) ? reject(parts.reason) : true;
  },
  rewrite(_b, ctx): FusedNode {
    const p = attentionParts(ctx.root, ctx) as AttentionParts;
    const { steps, axes } = attentionSteps({ q: operandOf(p.q), k: keyOperand(p.kt), v: operandOf(p.v), mask: p.mask, scale: p.scale, causal: p.causal }, ctx);
    // The root is [B, H, S, Dv]; the 3-D form's result is [B, S, H, Dv] (the Transpose that
    // usually follows, back to [B, S, H, Dv], then cancels with this one).
    const root = ctx.root.outputs[0].type;
    const back: Step[] = axes === "bsnd" ? [{ op: "Transpose", inputs: [PREVIOUS], attrs: { perm: attr.ints([0, 2, 1, 3]) }, type: root }] : [];
    return finish([...steps, ...back], ctx);
  },
};

export const ATTENTION_RULES: readonly FusionRule[] = [attention, attentionEinsum, attention3d, attention3dMasked];
