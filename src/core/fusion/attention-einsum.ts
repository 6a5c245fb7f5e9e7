/**
 * jax.nn.dot_product_attention (and flax.nnx.MultiHeadAttention, which calls it) as one ONNX
 * Attention node (opset 23). JAX computes it with grouped heads: Q reshaped to [B,T,N,G,H],
 * logits = einsum("BTNGH,BSNH->BNGTS"), times the scale, a Transpose, an optional mask,
 * softmax over S, then einsum("BNGTS,BSNH->BTNGH") with V; our dot_general rule lowers both
 * einsums to Einsum nodes with equations of its own letters. So the rule reads the einsums by
 * the role each letter plays rather than by fixed equations:
 *   - the letter the softmax runs over is the key axis S; the QK einsum's input holding it is K;
 *   - the one letter the QK einsum contracts is the head dim H;
 *   - letters in Q, K and the scores are batch dims (exactly two, as Attention's [B, N]);
 *   - Q's other letters are the query axis T and size-1 group axes (G = 1: no grouped query);
 *   - the PV einsum contracts exactly S, and V has the batch letters, S and one value dim.
 * Transposes between the einsums are followed letter by letter; masks are read as in
 * attention-parts.ts, and is_causal=True's jnp.tril mask (causal-mask.ts) becomes is_causal = 1.
 * The rewrite feeds Attention Q, K, V with size-1 axes squeezed first (so the Reshape that added
 * G cancels), 3-D when they are [B, T, N, H] (attentionSteps), and brings its result back to the
 * PV einsum's layout.
 */
import { attr, type Node, type TensorType, type Value } from "../ir/ir";
import type { Dim } from "../ir/dims";
import { op, v } from "./pattern";
import { producer } from "./graph-reading";
import { attentionSteps, failed, finish, maskedLogits, maskProblem, PREVIOUS, sameDim, scaledScores, unexpanded, type Found, type Mask, type Operand } from "./attention-parts";
import { isCausalMask } from "./causal-mask";
import { reject, type CheckResult, type FusedNode, type FusionContext, type FusionRule } from "./rule";

interface Equation {
  readonly ins: readonly [string, string];
  readonly out: string;
}

function equationOf(n: Node): Equation | null {
  const eq = n.attrs.equation?.type === "string" ? n.attrs.equation.value : null;
  const m = eq?.replace(/\s/g, "").match(/^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]*)$/);
  if (!m) return null;
  const distinct = (s: string): boolean => new Set(s).size === s.length;
  return distinct(m[1]) && distinct(m[2]) && distinct(m[3]) ? { ins: [m[1], m[2]], out: m[3] } : null;
}

/** Letters (one per axis) of a value, and the Value whose shape gives each letter's size. */
interface Plan {
  readonly q: Value;
  readonly qLetters: string;
  readonly k: Value;
  readonly kLetters: string;
  readonly v: Value;
  /** V's letters in the QK einsum's alphabet, its value dim as VALUE_DIM. */
  readonly vLetters: string;
  readonly batch: readonly [string, string];
  readonly query: string;
  /** Size-1 group letters of Q (and of the scores, mask and output). */
  readonly units: readonly string[];
  readonly key: string;
  readonly head: string;
  readonly scale: number;
  readonly mask: { readonly mask: Mask; readonly value: Value; readonly letters: string } | null;
  /** The mask was jnp.tril's causal one over (query, key): is_causal instead of a mask input. */
  readonly causal: boolean;
  /** The PV einsum's output letters in the QK alphabet. */
  readonly outLetters: string;
}

/** The value dim's letter in the QK einsum's alphabet (a character no equation uses). */
const VALUE_DIM = "#";

const permute = (letters: string, perm: readonly number[]): string => perm.map((p) => letters[p]).join("");
const sameLetters = (a: string, b: string): boolean => a.length === b.length && [...a].every((c) => b.includes(c));

function plan(root: Node, ctx: FusionContext): Found<Plan> {
  const pv = equationOf(root);
  if (!pv) return { reason: "the Einsum's equation is not of two inputs with one letter per axis" };
  const pIndex = root.inputs.findIndex((x) => producer(x, "Softmax") !== null);
  if (pIndex < 0) return { reason: "neither Einsum operand is a softmax" };
  const probs = root.inputs[pIndex]!;
  const vv = root.inputs[1 - pIndex];
  const softmax = producer(probs, "Softmax")!;
  const logits = softmax.inputs[0];
  if (!vv || !logits) return { reason: "not softmax(...) @ V" };
  const rank = probs.type.shape.length;
  const axisAttr = softmax.attrs.axis?.type === "int" ? softmax.attrs.axis.value : -1;
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;

  // From the softmax input down to the QK einsum: Transposes (outermost first), one mask, one scale.
  const perms: number[][] = [];
  let maskAt = -1;
  let mask: Mask | null = null;
  let scale: number | null = null;
  const passed: Value[] = [probs];
  let cur: Value = logits;
  for (;;) {
    passed.push(cur);
    const t = producer(cur, "Transpose");
    if (t?.inputs[0] && t.attrs.perm?.type === "ints") {
      perms.push([...t.attrs.perm.value]);
      cur = t.inputs[0];
      continue;
    }
    if (!mask && (producer(cur, "Where") || producer(cur, "Add"))) {
      const m = maskedLogits(cur);
      if (failed(m)) return m;
      [mask, maskAt, cur] = [m.mask, perms.length, m.scaled];
      continue;
    }
    if (scale === null && (producer(cur, "Div") || producer(cur, "Mul"))) {
      const s = scaledScores(cur);
      if (failed(s)) return s;
      [scale, cur] = [s.scale, s.scores];
      continue;
    }
    break;
  }
  const qkNode = producer(cur, "Einsum");
  const qk = qkNode ? equationOf(qkNode) : null;
  if (!qkNode || !qk || !qkNode.inputs[0] || !qkNode.inputs[1]) return { reason: "the scores are not an Einsum of Q and K" };
  for (const x of passed) if (ctx.readers(x) !== 1) return { reason: "the scores or attention weights are read elsewhere too" };
  // Letters of each value on the way up: the einsum's output, then each Transpose (innermost first).
  let letters = qk.out;
  let maskLetters = "";
  for (let i = perms.length - 1; i >= 0; i--) {
    if (i + 1 === maskAt) maskLetters = letters;
    letters = permute(letters, perms[i]);
  }
  if (maskAt === 0) maskLetters = letters;
  if (letters.length !== rank) return { reason: "the scores' letters do not match the softmax's rank" };
  const key = letters[axis];

  const [a, b] = qk.ins;
  const contracted = [...a].filter((c) => b.includes(c) && !qk.out.includes(c));
  if (contracted.length !== 1) return { reason: "the QK Einsum does not contract exactly one axis (the head dim)" };
  const head = contracted[0];
  const kSide = b.includes(key) && !a.includes(key) ? 1 : a.includes(key) && !b.includes(key) ? 0 : -1;
  if (kSide < 0) return { reason: "the softmax axis is not K's sequence axis" };
  const [qLetters, kLetters] = kSide === 1 ? [a, b] : [b, a];
  const [q, k] = (kSide === 1 ? qkNode.inputs : [qkNode.inputs[1], qkNode.inputs[0]]) as [Value, Value];
  const batchLetters = [...qLetters].filter((c) => kLetters.includes(c) && c !== head);
  if (batchLetters.length !== 2) return { reason: `${batchLetters.length} batch axes: Attention takes [batch, heads] (exactly two)` };
  const batch: readonly [string, string] = [batchLetters[0], batchLetters[1]];
  if (!sameLetters(kLetters, batch.join("") + key + head)) return { reason: "K has axes beyond batch, heads, sequence and head dim" };
  const qOnly = [...qLetters].filter((c) => !batch.includes(c) && c !== head);
  const dimOf = (x: Value, ls: string, c: string): Dim => x.type.shape[ls.indexOf(c)];
  const units = qOnly.filter((c) => dimOf(q, qLetters, c) === 1);
  const queries = qOnly.filter((c) => dimOf(q, qLetters, c) !== 1);
  if (queries.length !== 1) return { reason: "Q has more than one query axis of size other than 1 (grouped-query attention)" };

  const pvP = pv.ins[pIndex];
  const pvV = pv.ins[1 - pIndex];
  const toQk = (c: string): string => (pvP.includes(c) ? letters[pvP.indexOf(c)] : VALUE_DIM);
  const pvContracted = [...pvP].filter((c) => pvV.includes(c) && !pv.out.includes(c));
  if (pvContracted.length !== 1 || toQk(pvContracted[0]) !== key) return { reason: "the PV Einsum does not contract the key axis alone" };
  if ([...pvV].filter((c) => !pvP.includes(c)).length !== 1) return { reason: "V has more than one axis of its own (the value dim)" };
  const vLetters = [...pvV].map(toQk).join("");
  if (!sameLetters(vLetters, batch.join("") + key + VALUE_DIM)) return { reason: "V has axes beyond batch, heads, sequence and value dim" };
  const outLetters = [...pv.out].map(toQk).join("");
  if (!sameLetters(outLetters, batch.join("") + queries[0] + units.join("") + VALUE_DIM)) return { reason: "the PV Einsum's output is not [batch, heads, query, value dim] in some order" };
  for (const c of batch) {
    const d = dimOf(q, qLetters, c);
    if (!sameDim(d, dimOf(k, kLetters, c)) || !sameDim(d, dimOf(vv, vLetters, c))) return { reason: "Q, K and V do not share batch and head dims (the Einsums broadcast); Attention needs them equal" };
  }

  let maskPlan: Plan["mask"] = null;
  const size = dimOf(q, qLetters, queries[0]);
  const causal =
    mask?.kind === "bool" && !mask.negate && maskLetters.endsWith(queries[0] + key) && sameDim(size, dimOf(k, kLetters, key)) && isCausalMask(unexpanded(mask.value), size);
  if (mask && !causal) {
    const m = unexpanded(mask.value);
    if (m.type.shape.length !== maskLetters.length) return { reason: "a mask of another rank than the scores" };
    const order = [...batch, queries[0], key];
    const shape = order.map((c) => m.type.shape[maskLetters.indexOf(c)]);
    const scores = [dimOf(q, qLetters, batch[0]), dimOf(q, qLetters, batch[1]), dimOf(q, qLetters, queries[0]), dimOf(k, kLetters, key)];
    const why = maskProblem(mask, shape, scores, q.type.dtype);
    if (why) return { reason: why };
    maskPlan = { mask, value: m, letters: maskLetters };
  }
  return { q, qLetters, k, kLetters, v: vv, vLetters, batch, query: queries[0], units, key, head, scale: scale ?? 1, mask: maskPlan, causal, outLetters };
}

/** `x` (axes named by `letters`) with the size-1 `drop` axes squeezed (a Reshape that added them then cancels), and its letters. */
function squeezed(x: Value, letters: string, drop: readonly string[], ctx: FusionContext): { value: Value; letters: string } {
  if (!drop.length) return { value: x, letters };
  const axes = drop.map((c) => letters.indexOf(c)).sort((p, q) => p - q);
  const type: TensorType = { dtype: x.type.dtype, shape: x.type.shape.filter((_, i) => !axes.includes(i)) };
  return { value: ctx.node("Squeeze", [x, ctx.constant(axes, "int64", [axes.length])], {}, type), letters: [...letters].filter((c) => !drop.includes(c)).join("") };
}

/** `x` (axes named by `letters`) as Transpose(src, perm) with the axes `order`, units squeezed first. */
function operand(x: Value, letters: string, order: readonly string[], drop: readonly string[], ctx: FusionContext): Operand {
  const s = squeezed(x, letters, drop, ctx);
  return { src: s.value, perm: order.map((c) => s.letters.indexOf(c)) };
}

function rewrite(p: Plan, ctx: FusionContext): FusedNode {
  const [b0, b1] = p.batch;
  const q = operand(p.q, p.qLetters, [b0, b1, p.query, p.head], p.units, ctx);
  const k = operand(p.k, p.kLetters, [b0, b1, p.key, p.head], [], ctx);
  const v = operand(p.v, p.vLetters, [b0, b1, p.key, VALUE_DIM], [], ctx);
  let mask: Mask | null = null;
  if (p.mask) {
    // The mask in [b0, b1, query, key] order (a Transpose when it is not), its units squeezed.
    const m = operand(p.mask.value, p.mask.letters, [b0, b1, p.query, p.key], p.units, ctx);
    const value = m.perm.every((x, i) => x === i) ? m.src : ctx.node("Transpose", [m.src], { perm: attr.ints(m.perm) }, { dtype: m.src.type.dtype, shape: m.perm.map((i) => m.src.type.shape[i]) });
    mask = { ...p.mask.mask, value };
  }
  const { steps, axes } = attentionSteps({ q, k, v, mask, scale: p.scale, causal: p.causal }, ctx);
  // The result back to the PV einsum's layout: a Transpose of the non-unit axes into their
  // order there, then the unit axes put back.
  const yLetters = axes === "bnsd" ? [b0, b1, p.query, VALUE_DIM] : [b0, p.query, b1, VALUE_DIM];
  const y = steps[steps.length - 1].type;
  const outNonUnit = [...p.outLetters].filter((c) => !p.units.includes(c));
  const perm = outNonUnit.map((c) => yLetters.indexOf(c));
  if (!perm.every((x, i) => x === i)) steps.push({ op: "Transpose", inputs: [PREVIOUS], attrs: { perm: attr.ints(perm) }, type: { dtype: y.dtype, shape: perm.map((i) => y.shape[i]) } });
  if (p.units.length) {
    const axesIn = p.units.map((c) => p.outLetters.indexOf(c)).sort((x, z) => x - z);
    steps.push({ op: "Unsqueeze", inputs: [PREVIOUS, ctx.constant(axesIn, "int64", [axesIn.length])], attrs: {}, type: ctx.root.outputs[0].type });
  }
  return finish(steps, ctx);
}

export const attentionEinsum: FusionRule = {
  name: "attention_einsum",
  minOpset: 23,
  pattern: op("Einsum", v("a"), v("b")),
  check(_b, ctx): CheckResult {
    const p = plan(ctx.root, ctx);
    return failed(p) ? reject(p.reason) : true;
  },
  rewrite: (_b, ctx) => rewrite(plan(ctx.root, ctx) as Plan, ctx),
};
