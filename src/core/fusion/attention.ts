/**
 * Scaled-dot-product attention as one ONNX Attention node (opset 23), for the 4-D form JAX
 * programs write by hand (examples/vit_tiny.py, examples/gpt.py):
 *   softmax(Q @ Kᵀ * scale [masked], axis=-1) @ V,   Q [B,H,S,D], K [B,H,T,D], V [B,H,T,Dv],
 * as our rules lower it after the softmax fusion: MatMul(Q, Transpose(K)), a Div or Mul by a
 * constant, an optional mask, Softmax over the last axis, MatMul with V. ONNX Attention
 * computes softmax(Q Kᵀ * scale + mask) V with `scale` an attribute and `attn_mask` either
 * boolean (true = attend; false = -inf) or added to the scores; the mask must broadcast to
 * [B, H, S, T]. Masks are read in the two forms JAX writes them:
 *   where(mask, scores, fill) with fill at or below -1e9 (or -inf)  -> the boolean mask;
 *   scores + bias (a float tensor, not a scalar)                     -> the float mask;
 * and a boolean mask that is jnp.tril's causal one (causal-mask.ts) becomes is_causal = 1.
 * Semantics differ in one corner, measured with onnxruntime 1.32 and onnxruntime-web 1.30: a
 * query row whose every key is masked gives 0 there, where JAX gives the mean of V (a finite
 * fill) or NaN (-inf). Facts behind the other checks (docs/fusions.md): onnxruntime needs the
 * mask's second-to-last dim to be S (a key-padding mask [B,1,1,T] is expanded to [B,1,S,T]
 * here), and computes a float64 Attention with scale != 1 at float32 precision (5e-8), so in
 * float64 the scale goes onto Q as a Mul and the node gets scale = 1.
 */
import { attr, type Node, type TensorType, type Value } from "../ir/ir";
import type { Dim } from "../ir/dims";
import { op, v } from "./pattern";
import { broadcastScalar, producer, scalarValue } from "./graph-reading";
import { isCausalMask } from "./causal-mask";
import { reject, type CheckResult, type FusedNode, type FusionContext, type FusionRule } from "./rule";

/** The largest fill a where() mask may use: exp(fill - max) is 0 in float32 and float64 alike. */
const MASK_FILL_LIMIT = -1e9;

type Mask =
  | { readonly kind: "bool"; readonly value: Value; readonly negate: boolean }
  | { readonly kind: "float"; readonly value: Value };

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

type Found<T> = T | { readonly reason: string };
const failed = <T extends object>(r: Found<T>): r is { readonly reason: string } => "reason" in r;

const sameDim = (a: Dim, b: Dim): boolean => a !== null && a === b;

/** Q @ Kᵀ times a constant: the scores and the scale. */
function scaledScores(s: Value): Found<{ scores: Value; scale: number }> {
  const div = producer(s, "Div");
  if (div) {
    const c = scalarValue(div.inputs[1]);
    return c !== null && c !== 0 && div.inputs[0] ? { scores: div.inputs[0], scale: 1 / c } : { reason: "the scores are divided by something other than a constant" };
  }
  const mul = producer(s, "Mul");
  if (mul) {
    const [a, b] = mul.inputs;
    const [ca, cb] = [scalarValue(a), scalarValue(b)];
    if (cb !== null && a) return { scores: a, scale: cb };
    if (ca !== null && b) return { scores: b, scale: ca };
    return { reason: "the scores are multiplied by something other than a constant" };
  }
  return { scores: s, scale: 1 };
}

/** The softmax input as (scaled scores, mask). */
function maskedLogits(logits: Value): Found<{ scaled: Value; mask: Mask | null }> {
  const where = producer(logits, "Where");
  if (where) {
    const [cond, a, b] = where.inputs;
    const [fa, fb] = [broadcastScalar(a), broadcastScalar(b)];
    if (!cond || !a || !b || cond.type.dtype !== "bool") return { reason: "the where() before the softmax has no boolean condition" };
    if (fb !== null && fb <= MASK_FILL_LIMIT) return { scaled: a, mask: { kind: "bool", value: cond, negate: false } };
    if (fa !== null && fa <= MASK_FILL_LIMIT) return { scaled: b, mask: { kind: "bool", value: cond, negate: true } };
    return { reason: `the where() before the softmax does not fill masked scores with ${MASK_FILL_LIMIT} or less` };
  }
  const add = producer(logits, "Add");
  if (add) {
    const [a, b] = add.inputs as Value[];
    // The bias is the operand that is not a (scaled) MatMul: Q @ Kᵀ never is a bare input.
    const isScores = (x: Value): boolean => {
      const s = scaledScores(x);
      return !failed(s) && producer(s.scores, "MatMul") !== null;
    };
    const [scaled, bias] = isScores(a) ? [a, b] : isScores(b) ? [b, a] : [null, null];
    if (!scaled || !bias) return { reason: "neither operand of the Add before the softmax is the scaled scores" };
    if (scalarValue(bias) !== null) return { reason: "a constant added to every score is no mask" };
    return { scaled, mask: { kind: "float", value: bias } };
  }
  return { scaled: logits, mask: null };
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
    const why = maskProblem(mask, scaled.scores, q);
    if (why) return { reason: why };
  }
  return { q, kt, v: vv, scale: scaled.scale, mask, causal: false };
}

/** The mask as Attention can take it, with Expand nodes (broadcasts Attention does itself) removed. */
function unexpanded(m: Value): Value {
  let cur = m;
  for (let n = producer(cur, "Expand"); n?.inputs[0]; n = producer(cur, "Expand")) cur = n.inputs[0];
  return cur;
}

function maskProblem(mask: Mask, scores: Value, q: Value): string | null {
  const m = unexpanded(mask.value);
  if (mask.kind === "float" && m.type.dtype !== q.type.dtype) return `a ${m.type.dtype} mask on ${q.type.dtype} scores`;
  const ms = m.type.shape;
  const ss = scores.type.shape;
  if (ms.length < 2 || ms.length > 4) return `a rank-${ms.length} mask: Attention takes one of rank 2 to 4 broadcasting to [B, H, S, T]`;
  for (let i = 1; i <= ms.length; i++) {
    const d = ms[ms.length - i];
    if (d !== 1 && !sameDim(d, ss[ss.length - i])) return "the mask does not broadcast to the scores' shape";
  }
  if (!sameDim(ms[ms.length - 1], ss[3])) return "the mask is broadcast over the keys (its last dim is not T)";
  return null;
}

/** The mask input: Not for a where() that keeps the fill where the condition holds, rows expanded to S (onnxruntime needs mask dim -2 = S). */
function maskInput(mask: Mask, q: Value, ctx: FusionContext): Value {
  let m = unexpanded(mask.value);
  if (mask.kind === "bool" && mask.negate) m = ctx.node("Not", [m], {}, m.type);
  const ms = m.type.shape;
  const s = q.type.shape[2];
  if (sameDim(ms[ms.length - 2], s)) return m;
  const ones = ms.slice(0, -2).map(() => 1);
  let shape: Value;
  if (typeof s === "number") shape = ctx.constant([...ones, s, 1], "int64", [ms.length]);
  else {
    const rows = ctx.node("Shape", [q], { start: attr.int(2), end: attr.int(3) }, { dtype: "int64", shape: [1] });
    const parts = [...(ones.length ? [ctx.constant(ones, "int64", [ones.length])] : []), rows, ctx.constant([1], "int64", [1])];
    shape = ctx.node("Concat", parts, { axis: attr.int(0) }, { dtype: "int64", shape: [ms.length] });
  }
  const type: TensorType = { dtype: m.type.dtype, shape: [...ms.slice(0, -2), s, ms[ms.length - 1]] };
  return ctx.node("Expand", [m, shape], {}, type);
}

/** K from Kᵀ: a Transpose composed with the one that made Kᵀ (it then dies), else a new one. */
function keyInput(kt: Value, ctx: FusionContext): Value {
  const [b, h, d, t] = kt.type.shape;
  const type: TensorType = { dtype: kt.type.dtype, shape: [b, h, t, d] };
  const tr = producer(kt, "Transpose");
  const perm = tr?.attrs.perm?.type === "ints" ? tr.attrs.perm.value : null;
  if (tr?.inputs[0] && perm?.length === 4) {
    const composed = [perm[0], perm[1], perm[3], perm[2]];
    if (composed.every((p, i) => p === i)) return tr.inputs[0];
    return ctx.node("Transpose", [tr.inputs[0]], { perm: attr.ints(composed) }, type);
  }
  return ctx.node("Transpose", [kt], { perm: attr.ints([0, 1, 3, 2]) }, type);
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
    const parts = attentionParts(ctx.root, ctx) as AttentionParts;
    let q = parts.q;
    let scale = parts.scale;
    if (q.type.dtype === "float64" && scale !== 1) {
      q = ctx.node("Mul", [q, ctx.constant([scale], "float64", [])], {}, q.type);
      scale = 1;
    }
    const inputs = [q, keyInput(parts.kt, ctx), parts.v, ...(parts.mask ? [maskInput(parts.mask, parts.q, ctx)] : [])];
    return { op: "Attention", inputs, attrs: { scale: attr.float(scale), ...(parts.causal ? { is_causal: attr.int(1) } : {}) } };
  },
};

export const ATTENTION_RULES: readonly FusionRule[] = [attention];
