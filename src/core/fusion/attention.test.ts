import { GraphBuilder } from "../ir/builder";
import type { Value } from "../ir/ir";
import type { DType } from "../ir/dtype";
import { fuse } from "./testing";

type MaskForm = "none" | "where" | "where_inverted" | "where_small_fill" | "bias" | "key_padding" | "key_padding_symbolic" | "over_queries";

/** softmax(Q @ Kᵀ / sqrt(8) [masked]) @ V as our rules lower examples/gpt.py (Softmax already fused). */
function attentionGraph(opts: { mask?: MaskForm; dtype?: DType; scaleBy?: "div" | "mul" | "input"; rank?: 3 | 4; extraReader?: boolean; s?: number | string } = {}) {
  const { mask = "none", dtype = "float32", scaleBy = "div", rank = 4 } = opts;
  const s = opts.s ?? (mask === "key_padding_symbolic" ? "T" : 5);
  const b = new GraphBuilder("g");
  const lead = rank === 4 ? ["B", 2] : ["B"];
  // Q, K, V come as [B, S, H, D] (after a head split) and are transposed to [B, H, S, D].
  const q = b.addInput("q", { dtype, shape: [...lead, s, 8] });
  const kIn = b.addInput("k", { dtype, shape: rank === 4 ? ["B", s, 2, 8] : ["B", s, 8] });
  const v = b.addInput("v", { dtype, shape: [...lead, s, 8] });
  const kt = b.op("Transpose", [kIn], { perm: rank === 4 ? [0, 2, 3, 1] : [0, 2, 1] });
  const scores = b.op("MatMul", [q, kt]);
  const scaled =
    scaleBy === "div" ? b.op("Div", [scores, b.scalar(Math.sqrt(8), dtype)]) : scaleBy === "mul" ? b.op("Mul", [b.scalar(0.25, dtype), scores]) : b.op("Div", [scores, b.addInput("c", { dtype, shape: [] })]);
  const full = [...lead, s, s];
  let logits: Value = scaled;
  let maskInput: Value | null = null;
  const fill = (value: number) => b.op("Expand", [b.scalar(value, dtype), b.int64s(full.map((d) => (typeof d === "number" ? d : 1)))], {}, { types: [{ dtype, shape: full }] });
  if (mask === "where" || mask === "where_inverted" || mask === "where_small_fill") {
    maskInput = b.addInput("m", { dtype: "bool", shape: [s, s] });
    const cond = b.op("Expand", [maskInput, b.int64s([1, 1, 1, 1])], {}, { types: [{ dtype: "bool", shape: full }] });
    const big = fill(mask === "where_small_fill" ? -100 : -1e9);
    logits = mask === "where_inverted" ? b.op("Where", [cond, big, scaled]) : b.op("Where", [cond, scaled, big]);
  } else if (mask === "bias") {
    maskInput = b.addInput("m", { dtype, shape: ["B", 1, s, s] });
    logits = b.op("Add", [maskInput, scaled]);
  } else if (mask === "key_padding" || mask === "key_padding_symbolic") {
    maskInput = b.addInput("m", { dtype: "bool", shape: ["B", 1, 1, s] });
    logits = b.op("Where", [maskInput, scaled, fill(-Infinity)]);
  } else if (mask === "over_queries") {
    maskInput = b.addInput("m", { dtype: "bool", shape: ["B", 1, s, 1] });
    logits = b.op("Where", [maskInput, scaled, fill(-Infinity)]);
  }
  const probs = b.op("Softmax", [logits], { axis: rank - 1 });
  const out = b.op("MatMul", [probs, v]);
  b.graph.outputs.push(out);
  if (opts.extraReader) b.graph.outputs.push(probs);
  return { b, q, kIn, v, maskInput, out };
}

const reasons = (b: GraphBuilder, opset = 23) => fuse(b, opset).rejections.filter((r) => r.rule === "attention").map((r) => r.reason);

describe("attention fusion", () => {
  test("softmax(Q Kᵀ / sqrt(d)) V is one Attention on Q, K, V with the scale", () => {
    const { b, q, kIn, v, out } = attentionGraph();
    expect(fuse(b, 23).ops).toEqual(["Transpose", "Attention"]);
    const [tr, att] = b.graph.nodes;
    // Kᵀ was Transpose(k, [0,2,3,1]); K is Transpose(k, [0,2,1,3]).
    expect(tr.inputs[0]).toBe(kIn);
    expect(tr.attrs.perm?.value).toEqual([0, 2, 1, 3]);
    expect(att.inputs).toEqual([q, tr.outputs[0], v]);
    expect(att.attrs.scale?.value).toBeCloseTo(1 / Math.sqrt(8), 7);
    expect(att.outputs).toEqual([out]);
  });

  test("a Mul by the scale sets it as it is", () => {
    const { b } = attentionGraph({ scaleBy: "mul" });
    fuse(b, 23);
    expect(b.graph.nodes.find((n) => n.op === "Attention")?.attrs.scale?.value).toBe(0.25);
  });

  test("only at opset 23 or higher", () => {
    const { b } = attentionGraph();
    expect(fuse(b, 21).ops).toEqual(["Transpose", "MatMul", "Div", "Softmax", "MatMul"]);
  });

  test("where(mask, scores, -1e9) passes the mask (Expand dropped: Attention broadcasts it)", () => {
    const { b, maskInput } = attentionGraph({ mask: "where" });
    expect(fuse(b, 23).ops).toEqual(["Transpose", "Attention"]);
    expect(b.graph.nodes[1].inputs[3]).toBe(maskInput);
  });

  test("where(mask, -1e9, scores) passes not(mask)", () => {
    const { b, maskInput } = attentionGraph({ mask: "where_inverted" });
    expect(fuse(b, 23).ops).toEqual(["Not", "Transpose", "Attention"]);
    expect(b.graph.nodes[0].inputs[0]).toBe(maskInput);
    expect(b.graph.nodes[2].inputs[3]).toBe(b.graph.nodes[0].outputs[0]);
  });

  test("an additive float mask is the float attn_mask", () => {
    const { b, maskInput } = attentionGraph({ mask: "bias" });
    expect(fuse(b, 23).ops).toEqual(["Transpose", "Attention"]);
    expect(b.graph.nodes[1].inputs[3]).toBe(maskInput);
  });

  test("a key-padding mask [B,1,1,T] is expanded to [B,1,S,T] (onnxruntime needs dim -2 = S)", () => {
    const { b, maskInput } = attentionGraph({ mask: "key_padding" });
    expect(fuse(b, 23).ops).toEqual(["Expand", "Transpose", "Attention"]);
    const expand = b.graph.nodes[0];
    expect(expand.inputs[0]).toBe(maskInput);
    expect(expand.outputs[0].type.shape).toEqual(["B", 1, 5, 5]);
    expect(b.graph.nodes[2].inputs[3]).toBe(expand.outputs[0]);
  });

  test("with a symbolic S the expansion reads S from Q's shape", () => {
    const { b, q } = attentionGraph({ mask: "key_padding_symbolic" });
    expect(fuse(b, 23).ops).toEqual(["Shape", "Concat", "Expand", "Transpose", "Attention"]);
    expect(b.graph.nodes[0].inputs[0]).toBe(q);
    expect(b.graph.nodes[2].outputs[0].type.shape).toEqual(["B", 1, "T", "T"]);
  });

  test("float64 puts the scale on Q (onnxruntime scales float64 at float32 precision)", () => {
    const { b, q } = attentionGraph({ dtype: "float64" });
    expect(fuse(b, 23).ops).toEqual(["Mul", "Transpose", "Attention"]);
    expect(b.graph.nodes[0].inputs[0]).toBe(q);
    expect(b.graph.nodes[2].attrs.scale?.value).toBe(1);
  });

  test.each<[string, Parameters<typeof attentionGraph>[0], string]>([
    ["a fill above -1e9", { mask: "where_small_fill" }, "the where() before the softmax does not fill masked scores with -1000000000 or less"],
    ["a mask over the queries only", { mask: "over_queries" }, "the mask is broadcast over the keys (its last dim is not T)"],
    ["weights also returned", { extraReader: true }, "the scores or attention weights are read elsewhere too"],
    ["a scale that is not a constant", { scaleBy: "input" }, "the scores are divided by something other than a constant"],
    ["3-D scores", { rank: 3 }, "rank-3 attention weights: ONNX Attention takes 4-D [batch, heads, seq, head_dim]"],
  ])("%s is rejected with a reason", (_name, opts, reason) => {
    const { b } = attentionGraph(opts);
    expect(reasons(b)).toContain(reason);
    expect(b.graph.nodes.map((n) => n.op)).not.toContain("Attention");
  });

  test("Q, K and V all transposed from [B, S, H, D] (a head split) go in 3-D, [B, S, H*D], and the result back to [B, H, S, D]", () => {
    const b = new GraphBuilder("g");
    const [q, k, v] = ["q", "k", "v"].map((n) => b.addInput(n, { dtype: "float32", shape: ["B", "T", 2, 8] }));
    const tq = b.op("Transpose", [q], { perm: [0, 2, 1, 3] });
    const tk = b.op("Transpose", [k], { perm: [0, 2, 3, 1] });
    const tv = b.op("Transpose", [v], { perm: [0, 2, 1, 3] });
    const scores = b.op("Div", [b.op("MatMul", [tq, tk]), b.scalar(Math.sqrt(8), "float32")]);
    const out = b.op("MatMul", [b.op("Softmax", [scores], { axis: 3 }), tv]);
    b.graph.outputs.push(out);
    expect(fuse(b, 23).ops).toEqual(["Reshape", "Reshape", "Reshape", "Attention", "Reshape", "Transpose"]);
    const [rq, rk, rv, att, back, tr] = b.graph.nodes;
    expect([rq.inputs[0], rk.inputs[0], rv.inputs[0]]).toEqual([q, k, v]);
    expect(rq.outputs[0].type.shape).toEqual(["B", "T", 16]);
    expect(att.attrs.q_num_heads?.value).toBe(2);
    expect(att.attrs.kv_num_heads?.value).toBe(2);
    expect(back.outputs[0].type.shape).toEqual(["B", "T", 2, 8]);
    expect(tr.attrs.perm?.value).toEqual([0, 2, 1, 3]);
    expect(tr.outputs).toEqual([out]);
  });
});
