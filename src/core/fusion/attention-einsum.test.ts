import { GraphBuilder } from "../ir/builder";
import type { Value } from "../ir/ir";
import { fuse } from "./testing";

/**
 * jax.nn.dot_product_attention on q, k, v [B,T,N,H] = [2,5,3,4] as our rules lower it (Softmax
 * already fused): q reshaped to [B,T,N,G=1,H], Einsum "adbec,afbc->abdef" to [B,N,T,G,S],
 * times the scale, Transpose to [G,B,N,T,S], an optional where(mask, s, fill), Softmax over S,
 * Einsum "acbd,eabfc->abdef" with v to [B,N,H,G,T].
 */
function dpaGraph(opts: { mask?: "none" | "padding"; fill?: number; groups?: number; pvEquation?: string } = {}) {
  const { mask = "none", fill = -0.7 * 3.4028234663852886e38, groups = 1 } = opts;
  const b = new GraphBuilder("g");
  const n = 3 * groups;
  const q = b.addInput("q", { dtype: "float32", shape: [2, 5, n, 4] });
  const k = b.addInput("k", { dtype: "float32", shape: [2, 5, 3, 4] });
  const v = b.addInput("v", { dtype: "float32", shape: [2, 5, 3, 4] });
  const q5 = b.op("Reshape", [q, b.int64s([2, 5, 3, groups, 4])]);
  const scores = b.op("Einsum", [q5, k], { equation: "adbec,afbc->abdef" });
  const scaled = b.op("Mul", [scores, b.scalar(0.5, "float32")]);
  let logits = b.op("Transpose", [scaled], { perm: [3, 0, 1, 2, 4] });
  let m: Value | null = null;
  if (mask === "padding") {
    m = b.addInput("m", { dtype: "bool", shape: [1, 2, 1, 1, 5] });
    logits = b.op("Where", [m, logits, b.scalar(fill, "float32")]);
  }
  const probs = b.op("Softmax", [logits], { axis: 4 });
  const out = b.op("Einsum", [v, probs], { equation: opts.pvEquation ?? "acbd,eabfc->abdef" });
  b.graph.outputs.push(out);
  return { b, q, k, v, m, out };
}

const rejection = (b: GraphBuilder) => fuse(b, 23).rejections.filter((r) => r.rule === "attention_einsum").map((r) => r.reason);

describe("attention fusion, einsum form", () => {
  test("dot_product_attention is a 3-D Attention on Q, K, V as [B,T,N*H], its output moved back to the einsum's layout", () => {
    const { b, q, k, v, out } = dpaGraph();
    expect(fuse(b, 23).ops).toEqual(["Reshape", "Reshape", "Reshape", "Attention", "Reshape", "Transpose", "Unsqueeze"]);
    const [rq, rk, rv, att, back, tr, unsq] = b.graph.nodes;
    // The Reshape that added G cancels with the Squeeze of it: Q's Reshape reads q itself.
    expect([rq.inputs[0], rk.inputs[0], rv.inputs[0]]).toEqual([q, k, v]);
    expect(att.inputs.slice(0, 3)).toEqual([rq.outputs[0], rk.outputs[0], rv.outputs[0]]);
    expect(att.attrs.scale?.value).toBe(0.5);
    expect(att.attrs.q_num_heads?.value).toBe(3);
    expect(back.outputs[0].type.shape).toEqual([2, 5, 3, 4]);
    // [B,T,N,H] to the PV einsum's [B,N,H,(G),T].
    expect(tr.attrs.perm?.value).toEqual([0, 2, 3, 1]);
    expect(unsq.outputs).toEqual([out]);
    expect(out.type.shape).toEqual([2, 3, 4, 1, 5]);
  });

  test("a where() mask with JAX's fill is a float mask where(m, 0, fill), squeezed to 4-D and its rows expanded to T", () => {
    const { b, m } = dpaGraph({ mask: "padding" });
    const { ops } = fuse(b, 23);
    expect(ops).toContain("Attention");
    const att = b.graph.nodes.find((n) => n.op === "Attention")!;
    const expand = att.inputs[3]!.producer!;
    expect(expand.op).toBe("Expand");
    expect(expand.outputs[0].type).toEqual({ dtype: "float32", shape: [2, 1, 5, 5] });
    const where = expand.inputs[0]!.producer!;
    expect(where.op).toBe("Where");
    expect(where.inputs[0]!.producer!.op).toBe("Squeeze");
    expect(where.inputs[0]!.producer!.inputs[0]).toBe(m);
  });

  test("with a -1e9 fill the mask stays boolean", () => {
    const { b } = dpaGraph({ mask: "padding", fill: -1e9 });
    fuse(b, 23);
    const att = b.graph.nodes.find((n) => n.op === "Attention")!;
    expect(att.inputs[3]!.type.dtype).toBe("bool");
  });

  test("grouped-query attention (G > 1) is rejected with a reason", () => {
    const { b } = dpaGraph({ groups: 2 });
    expect(rejection(b)).toContain("Q has more than one query axis of size other than 1 (grouped-query attention)");
  });

  test("an einsum that contracts another axis than the key is rejected", () => {
    // V's letters in the wrong roles: contracts over the value dim instead of S.
    const { b } = dpaGraph({ pvEquation: "acbf,eabfd->abdec" });
    expect(rejection(b)).toContain("the PV Einsum does not contract the key axis alone");
    expect(b.graph.nodes.map((n) => n.op)).not.toContain("Attention");
  });
});
