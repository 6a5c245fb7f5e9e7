/**
 * What the attention fusions (attention.ts: MatMul form, attention-einsum.ts: Einsum form) share:
 * reading the scale and the mask off the scores before the softmax, and building Attention's
 * mask and query inputs. ONNX Attention (opset 23) computes softmax(Q Kᵀ * scale + mask) V with
 * `scale` an attribute and `attn_mask` boolean (true = attend; false = -inf) or added to the
 * scores, broadcasting to [B, H, S, T]. Masks are read in the two forms JAX writes them:
 *   where(mask, scores, fill) with fill at or below -1e9 (or -inf)  -> the boolean mask;
 *   scores + bias (a float tensor, not a scalar)                     -> the float mask.
 * Facts measured with onnxruntime 1.32 and onnxruntime-web 1.30 (docs/fusions.md): both need
 * the mask's second-to-last dim to be S (a key-padding mask [B,1,1,T] is expanded here); with a
 * boolean mask a query row whose every key is masked gives 0 there, where JAX gives the mean of
 * V (a finite fill) or NaN (-inf), so a fill large enough to be exact (EXACT_FILL_LIMIT, JAX's
 * own) passes as a float mask instead; onnxruntime computes a float64 Attention with scale != 1 at float32
 * precision (5e-8), so in float64 the scale goes onto Q as a Mul and the node gets scale = 1.
 */
import { attr, type Attr, type TensorType, type Value } from "../ir/ir";
import type { Dim } from "../ir/dims";
import type { DType } from "../ir/dtype";
import { broadcastScalar, producer, scalarValue } from "./graph-reading";
import type { FusedNode, FusionContext } from "./rule";

/** The largest fill a where() mask may use: exp(fill - max) is 0 in float32 and float64 alike. */
export const MASK_FILL_LIMIT = -1e9;

/**
 * A fill this large (jax.nn.dot_product_attention's -0.7 * finfo.max) absorbs any score it is
 * added to (float32's spacing there is ~1e22), so where(mask, s, fill) and s + where(mask, 0, fill)
 * are the same numbers, also in a row whose every key is masked (uniform weights in JAX).
 */
export const EXACT_FILL_LIMIT = -1e30;

export type Mask =
  /** `keepFill`: pass where(mask, 0, fill) as a float mask (exact JAX semantics, see EXACT_FILL_LIMIT). */
  | { readonly kind: "bool"; readonly value: Value; readonly negate: boolean; readonly keepFill: number | null }
  | { readonly kind: "float"; readonly value: Value };

export type Found<T> = T | { readonly reason: string };
export const failed = <T extends object>(r: Found<T>): r is { readonly reason: string } => "reason" in r;

export const sameDim = (a: Dim, b: Dim): boolean => a !== null && a === b;

/** Q @ Kᵀ times a constant: the scores and the scale. */
export function scaledScores(s: Value): Found<{ scores: Value; scale: number }> {
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
export function maskedLogits(logits: Value): Found<{ scaled: Value; mask: Mask | null }> {
  const where = producer(logits, "Where");
  if (where) {
    const [cond, a, b] = where.inputs;
    const [fa, fb] = [broadcastScalar(a), broadcastScalar(b)];
    if (!cond || !a || !b || cond.type.dtype !== "bool") return { reason: "the where() before the softmax has no boolean condition" };
    const keep = (f: number): number | null => (Number.isFinite(f) && f <= EXACT_FILL_LIMIT ? f : null);
    if (fb !== null && fb <= MASK_FILL_LIMIT) return { scaled: a, mask: { kind: "bool", value: cond, negate: false, keepFill: keep(fb) } };
    if (fa !== null && fa <= MASK_FILL_LIMIT) return { scaled: b, mask: { kind: "bool", value: cond, negate: true, keepFill: keep(fa) } };
    return { reason: `the where() before the softmax does not fill masked scores with ${MASK_FILL_LIMIT} or less` };
  }
  const add = producer(logits, "Add");
  if (add) {
    const [a, b] = add.inputs as Value[];
    // The bias is the operand that is not the (scaled, transposed) MatMul or Einsum Q @ Kᵀ.
    const isScores = (x: Value): boolean => {
      const s = scaledScores(throughTransposes(x));
      const scores = failed(s) ? null : throughTransposes(s.scores);
      return producer(scores, "MatMul") !== null || producer(scores, "Einsum") !== null;
    };
    const [scaled, bias] = isScores(a) ? [a, b] : isScores(b) ? [b, a] : [null, null];
    if (!scaled || !bias) return { reason: "neither operand of the Add before the softmax is the scaled scores" };
    if (scalarValue(bias) !== null) return { reason: "a constant added to every score is no mask" };
    return { scaled, mask: { kind: "float", value: bias } };
  }
  return { scaled: logits, mask: null };
}

/** The mask as Attention can take it, with Expand nodes (broadcasts Attention does itself) removed. */
export function unexpanded(m: Value): Value {
  let cur = m;
  for (let n = producer(cur, "Expand"); n?.inputs[0]; n = producer(cur, "Expand")) cur = n.inputs[0];
  return cur;
}

/**
 * Why a mask of this (unexpanded) shape and dtype cannot be Attention's attn_mask on scores of
 * shape [B, H, S, T], or null.
 */
export function maskProblem(mask: Mask, shape: readonly Dim[], scores: readonly Dim[], dtype: DType): string | null {
  if (mask.kind === "float" && mask.value.type.dtype !== dtype) return `a ${mask.value.type.dtype} mask on ${dtype} scores`;
  if (shape.length < 2 || shape.length > 4) return `a rank-${shape.length} mask: Attention takes one of rank 2 to 4 broadcasting to [B, H, S, T]`;
  for (let i = 1; i <= shape.length; i++) {
    const d = shape[shape.length - i];
    if (d !== 1 && !sameDim(d, scores[scores.length - i])) return "the mask does not broadcast to the scores' shape";
  }
  if (!sameDim(shape[shape.length - 1], scores[3])) return "the mask is broadcast over the keys (its last dim is not T)";
  return null;
}

/**
 * The mask input: where(m, 0, fill) for a fill kept exact, Not for a where() that keeps the fill
 * where the condition holds; rows expanded to S (onnxruntime needs mask dim -2 = S), S read from
 * axis `seqAxis` of `seq` when it is symbolic.
 */
export function maskInput(mask: Mask, dtype: DType, seq: Value, seqAxis: number, ctx: FusionContext): Value {
  let m = unexpanded(mask.value);
  if (mask.kind === "bool" && mask.keepFill !== null) {
    const [zero, fill] = [ctx.constant([0], dtype, []), ctx.constant([mask.keepFill], dtype, [])];
    m = ctx.node("Where", [m, ...(mask.negate ? [fill, zero] : [zero, fill])], {}, { dtype, shape: m.type.shape });
  } else if (mask.kind === "bool" && mask.negate) m = ctx.node("Not", [m], {}, m.type);
  const ms = m.type.shape;
  const s = seq.type.shape[seqAxis];
  if (sameDim(ms[ms.length - 2], s)) return m;
  const ones = ms.slice(0, -2).map(() => 1);
  let shape: Value;
  if (typeof s === "number") shape = ctx.constant([...ones, s, 1], "int64", [ms.length]);
  else {
    const rows = ctx.node("Shape", [seq], { start: attr.int(seqAxis), end: attr.int(seqAxis + 1) }, { dtype: "int64", shape: [1] });
    const parts = [...(ones.length ? [ctx.constant(ones, "int64", [ones.length])] : []), rows, ctx.constant([1], "int64", [1])];
    shape = ctx.node("Concat", parts, { axis: attr.int(0) }, { dtype: "int64", shape: [ms.length] });
  }
  const type: TensorType = { dtype: m.type.dtype, shape: [...ms.slice(0, -2), s, ms[ms.length - 1]] };
  return ctx.node("Expand", [m, shape], {}, type);
}

/** `v` with Transposes removed (the einsum form reads roles through them). */
export function throughTransposes(v: Value): Value {
  let cur = v;
  for (let t = producer(cur, "Transpose"); t?.inputs[0]; t = producer(cur, "Transpose")) cur = t.inputs[0];
  return cur;
}

/** Q, K or V as Transpose(src, perm) = its [batch, heads, seq, dim] tensor. */
export interface Operand {
  readonly src: Value;
  readonly perm: readonly number[];
  /** That tensor itself, when the graph has it (the 4-D form reads it instead of a new Transpose). */
  readonly value?: Value;
}

export const IDENTITY4: readonly number[] = [0, 1, 2, 3];
/** [batch, seq, heads, dim] <-> [batch, heads, seq, dim]. */
const SEQ_HEADS_SWAP: readonly number[] = [0, 2, 1, 3];
const isPerm = (p: readonly number[], q: readonly number[]): boolean => p.length === q.length && p.every((x, i) => x === q[i]);

/** `x` [batch, heads, seq, dim] as an Operand: through the Transpose that made it, when one did. */
export function operandOf(x: Value): Operand {
  const tr = producer(x, "Transpose");
  const perm = tr?.attrs.perm?.type === "ints" ? tr.attrs.perm.value : null;
  return tr?.inputs[0] && perm?.length === 4 ? { src: tr.inputs[0], perm, value: x } : { src: x, perm: IDENTITY4, value: x };
}

/** The ops that replace the root: the last becomes the fused node, the others helpers before it. */
export interface Step {
  readonly op: string;
  /** PREVIOUS stands for the step before's output. */
  readonly inputs: readonly (Value | typeof PREVIOUS | null)[];
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly type: TensorType;
}

export const PREVIOUS = Symbol("previous step's output");

export function finish(steps: readonly Step[], ctx: FusionContext): FusedNode {
  let prev: Value | null = null;
  const resolve = (i: Value | typeof PREVIOUS | null): Value | null => (i === PREVIOUS ? prev : i);
  for (const s of steps.slice(0, -1)) prev = ctx.node(s.op, s.inputs.map(resolve), s.attrs, s.type);
  const last = steps[steps.length - 1];
  return { op: last.op, inputs: last.inputs.map(resolve), attrs: last.attrs };
}

export interface AttentionCall {
  readonly q: Operand;
  readonly k: Operand;
  readonly v: Operand;
  /** A mask read off the scores, or an attn_mask input as it is (attention-3d.ts). */
  readonly mask: Mask | Value | null;
  readonly scale: number;
  readonly causal: boolean;
}

/**
 * The Attention node's step and the axes of its result ("bnsd": [batch, heads, seq, value dim];
 * "bsnd" after the 3-D form's Reshape). When Q, K and V all come as [batch, seq, heads, dim]
 * (the layout a head split leaves) with static heads and dims, Attention takes them 3-D,
 * [batch, seq, heads * dim] with q_num_heads / kv_num_heads: a Reshape each instead of a
 * Transpose, and onnxruntime 1.32 ran it 1.3-1.8x faster than the 4-D form with its Transposes
 * (docs/fusions.md). Otherwise each operand is transposed to [batch, heads, seq, dim].
 * In float64 the scale multiplies Q (scaledQuery); the mask gets its rows expanded to S.
 */
export function attentionSteps(call: AttentionCall, ctx: FusionContext): { steps: Step[]; axes: "bnsd" | "bsnd" } {
  const { q: qs, k, v } = call;
  const { q: qSrc, scale } = scaledQuery(qs.src, call.scale, ctx);
  const q: Operand = qSrc === qs.src ? qs : { src: qSrc, perm: qs.perm };
  const dtype = q.src.type.dtype;
  const mask = !call.mask ? null : "kind" in call.mask ? maskInput(call.mask, dtype, q.src, q.perm[2], ctx) : call.mask;
  const attrs: Record<string, Attr> = { scale: attr.float(scale), ...(call.causal ? { is_causal: attr.int(1) } : {}) };
  const [heads, kvHeads, qDim, kDim, vDim] = [q.src.type.shape[2], k.src.type.shape[2], q.src.type.shape[3], k.src.type.shape[3], v.src.type.shape[3]];
  const threeD =
    [q, k, v].every((o) => isPerm(o.perm, SEQ_HEADS_SWAP)) &&
    [heads, kvHeads, qDim, kDim, vDim].every((d): d is number => typeof d === "number") &&
    sameDim(v.src.type.shape[2], kvHeads);
  const bnsd = (o: Operand): readonly Dim[] => o.perm.map((p) => o.src.type.shape[p]);
  const [b, n, s] = bnsd(q);
  if (threeD) {
    const flat = (o: Operand): Value => {
      const [ob, os, oh, od] = o.src.type.shape;
      return ctx.node("Reshape", [o.src, ctx.constant([0, 0, (oh as number) * (od as number)], "int64", [3])], {}, { dtype, shape: [ob, os, (oh as number) * (od as number)] });
    };
    const inputs = [flat(q), flat(k), flat(v), ...(mask ? [mask] : [])];
    const y3: TensorType = { dtype, shape: [b, s, (heads as number) * (vDim as number)] };
    const steps: Step[] = [
      { op: "Attention", inputs, attrs: { ...attrs, q_num_heads: attr.int(heads as number), kv_num_heads: attr.int(kvHeads as number) }, type: y3 },
      { op: "Reshape", inputs: [PREVIOUS, ctx.constant([0, 0, heads as number, vDim as number], "int64", [4])], attrs: {}, type: { dtype, shape: [b, s, n, vDim] } },
    ];
    return { steps, axes: "bsnd" };
  }
  const four = (o: Operand): Value => o.value ?? (isPerm(o.perm, IDENTITY4) ? o.src : ctx.node("Transpose", [o.src], { perm: attr.ints(o.perm) }, { dtype, shape: bnsd(o) }));
  const inputs = [four(q), four(k), four(v), ...(mask ? [mask] : [])];
  return { steps: [{ op: "Attention", inputs, attrs, type: { dtype, shape: [b, n, s, bnsd(v)[3]] } }], axes: "bnsd" };
}

/** Q and the scale attribute: in float64 the scale multiplies Q here and the attribute is 1. */
export function scaledQuery(q: Value, scale: number, ctx: FusionContext): { q: Value; scale: number } {
  if (q.type.dtype !== "float64" || scale === 1) return { q, scale };
  return { q: ctx.node("Mul", [q, ctx.constant([scale], "float64", [])], {}, q.type), scale: 1 };
}
