/**
 * A 4-D Attention whose Q, K and V are each Transpose([0,2,1,3]) of [batch, seq, heads, dim]
 * (a head split) takes them 3-D instead, [batch, seq, heads * dim] by Reshape, with
 * q_num_heads / kv_num_heads (attention-parts.ts, attentionSteps: onnxruntime 1.32 ran that
 * 1.3-1.8x faster). The attention fusions build the 3-D form themselves when they see this
 * layout; this rule is for the layout they could not see yet: examples/vit_tiny.py transposes
 * its [3, B, H, S, D] qkv before the split, and the Transposes reach Q, K and V only after
 * sink-transposes, which runs between the two fusion passes. The result is brought back to
 * [B, H, S, Dv] by Reshape and Transpose, which cancel with the model's own Transpose and
 * Reshape to [B, S, H*Dv] (layout_chain).
 */
import { attr, type Value } from "../ir/ir";
import { op, v } from "./pattern";
import { attentionSteps, finish, operandOf, PREVIOUS, type Operand } from "./attention-parts";
import { reject, type CheckResult, type FusedNode, type FusionContext, type FusionRule } from "./rule";

const SEQ_HEADS_SWAP = [0, 2, 1, 3];

interface Operands {
  readonly q: Operand;
  readonly k: Operand;
  readonly v: Operand;
}

function operands(ctx: FusionContext): Operands | { readonly reason: string } {
  const n = ctx.root;
  if (n.attrs.q_num_heads || n.outputs.length !== 1) return { reason: "already 3-D (or with present key/value outputs)" };
  if (n.inputs.length > 4) return { reason: "Attention with a key/value cache" };
  const [q, k, vv] = n.inputs as (Value | null)[];
  if (!q || !k || !vv || [q, k, vv].some((x) => x.type.shape.length !== 4)) return { reason: "Q, K or V is not 4-D" };
  const ops = { q: operandOf(q), k: operandOf(k), v: operandOf(vv) };
  if (![ops.q, ops.k, ops.v].every((o) => o.perm.every((p, i) => p === SEQ_HEADS_SWAP[i]))) return { reason: "Q, K and V are not all transposed from [batch, seq, heads, dim]" };
  const dims = [ops.q, ops.k, ops.v].flatMap((o) => o.src.type.shape.slice(2));
  if (!dims.every((d) => typeof d === "number")) return { reason: "heads or head dims are symbolic: 3-D Attention needs q_num_heads as a number" };
  return ops;
}

export const attention3d: FusionRule = {
  name: "attention_3d",
  minOpset: 23,
  pattern: op("Attention", v("q"), v("k"), v("v")),
  check(_b, ctx): CheckResult {
    const o = operands(ctx);
    return "reason" in o ? reject(o.reason) : true;
  },
  rewrite: (_b, ctx) => rewrite(ctx),
};

/** The same with an attn_mask input. */
export const attention3dMasked: FusionRule = { ...attention3d, pattern: op("Attention", v("q"), v("k"), v("v"), v("mask")) };

function rewrite(ctx: FusionContext): FusedNode {
  const o = operands(ctx) as Operands;
  const n = ctx.root;
  const scale = n.attrs.scale?.type === "float" ? n.attrs.scale.value : 1 / Math.sqrt(o.q.src.type.shape[3] as number);
  const causal = n.attrs.is_causal?.type === "int" && n.attrs.is_causal.value === 1;
  const { steps } = attentionSteps({ ...o, mask: n.inputs[3] ?? null, scale, causal }, ctx);
  return finish([...steps, { op: "Transpose", inputs: [PREVIOUS], attrs: { perm: attr.ints(SEQ_HEADS_SWAP) }, type: n.outputs[0].type }], ctx);
}
