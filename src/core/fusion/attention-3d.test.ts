import { GraphBuilder } from "../ir/builder";
import { attr } from "../ir/ir";
import { fuse } from "./testing";

/** A 4-D Attention on Transpose([0,2,1,3]) of [B, S, H, D] values, its result transposed back and merged to [B, S, H*D] (examples/vit_tiny.py after sink-transposes). */
function block(opts: { heads?: number | string; kPerm?: number[] } = {}) {
  const b = new GraphBuilder("g");
  const h = opts.heads ?? 2;
  const [q, k, v] = ["q", "k", "v"].map((n) => b.addInput(n, { dtype: "float32", shape: ["B", 5, h, 8] }));
  const t = (x: typeof q, perm = [0, 2, 1, 3]) => b.op("Transpose", [x], { perm });
  const att = b.op("Attention", [t(q), t(k, opts.kPerm), t(v)], { scale: attr.float(0.25), is_causal: 1 }, { types: [{ dtype: "float32", shape: ["B", h, 5, 8] }] });
  const out = b.op("Reshape", [t(att), b.int64s([0, 5, 16])], {}, { types: [{ dtype: "float32", shape: ["B", 5, 16] }] });
  b.graph.outputs.push(out);
  return { b, q, k, v, out };
}

describe("attention_3d", () => {
  test("Q, K, V from [B, S, H, D] go in as [B, S, H*D]; the Reshape and Transposes back cancel", () => {
    const { b, q, k, v, out } = block();
    expect(fuse(b, 23).ops).toEqual(["Reshape", "Reshape", "Reshape", "Attention"]);
    const att = b.graph.nodes[3];
    expect(b.graph.nodes.slice(0, 3).map((n) => n.inputs[0])).toEqual([q, k, v]);
    expect(att.attrs.q_num_heads?.value).toBe(2);
    expect(att.attrs.kv_num_heads?.value).toBe(2);
    expect(att.attrs.scale?.value).toBe(0.25);
    expect(att.attrs.is_causal?.value).toBe(1);
    expect(att.outputs).toEqual([out]);
  });

  test("not when an operand is transposed otherwise, or the heads are symbolic", () => {
    const reasons = (b: GraphBuilder) => fuse(b, 23).rejections.filter((r) => r.rule === "attention_3d").map((r) => r.reason);
    expect(reasons(block({ kPerm: [0, 1, 2, 3] }).b)).toContain("Q, K and V are not all transposed from [batch, seq, heads, dim]");
    expect(reasons(block({ heads: "H" }).b)).toContain("heads or head dims are symbolic: 3-D Attention needs q_num_heads as a number");
  });
});
