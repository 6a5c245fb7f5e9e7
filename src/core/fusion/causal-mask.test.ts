import { GraphBuilder } from "../ir/builder";
import type { Value } from "../ir/ir";
import { isCausalMask } from "./causal-mask";
import { fuse } from "./testing";

/**
 * jnp.tril(jnp.ones((t, t), bool)) as our rules lower it for a symbolic t (examples/gpt.py):
 * where(rows + offset >= cols, 1, 0) cast to bool, [1, 1, T, T]. `flip` compares cols >= rows (triu).
 */
function trilMask(b: GraphBuilder, opts: { offset?: number; flip?: boolean; start?: number } = {}): Value {
  const t = b.addInput("t", { dtype: "int64", shape: [] });
  const iota = b.op("Cast", [b.op("Range", [b.scalar(opts.start ?? 0, "int64"), t, b.scalar(1, "int64")], {}, { types: [{ dtype: "int64", shape: ["T"] }] })], { to: 6 }, { types: [{ dtype: "int32", shape: ["T"] }] });
  const rows = b.op("Expand", [b.op("Unsqueeze", [iota, b.int64s([1])]), b.int64s([1, 1])], {}, { types: [{ dtype: "int32", shape: ["T", "T"] }] });
  const cols = b.op("Unsqueeze", [iota, b.int64s([0])]);
  const shifted = b.op("Add", [rows, b.scalar(opts.offset ?? 0, "int32")]);
  const ge = opts.flip ? b.op("GreaterOrEqual", [cols, shifted]) : b.op("GreaterOrEqual", [shifted, cols]);
  const where = b.op("Where", [ge, b.scalar(1, "uint8"), b.scalar(0, "uint8")], {}, { types: [{ dtype: "uint8", shape: ["T", "T"] }] });
  return b.op("Unsqueeze", [b.op("Cast", [where], { to: 9 }), b.int64s([0, 1])]);
}

describe("causal mask", () => {
  test("tril over a symbolic T is causal; an offset, triu or a shifted iota is not", () => {
    expect(isCausalMask(trilMask(new GraphBuilder("g")), "T")).toBe(true);
    expect(isCausalMask(trilMask(new GraphBuilder("g")), "S")).toBe(false);
    expect(isCausalMask(trilMask(new GraphBuilder("g"), { offset: 1 }), "T")).toBe(false);
    expect(isCausalMask(trilMask(new GraphBuilder("g"), { flip: true }), "T")).toBe(false);
    expect(isCausalMask(trilMask(new GraphBuilder("g"), { start: 1 }), "T")).toBe(false);
  });

  test("a constant mask is causal when it is the lower triangle", () => {
    const b = new GraphBuilder("g");
    const tril = [1, 0, 0, 1, 1, 0, 1, 1, 1].map(Boolean);
    expect(isCausalMask(b.constant(tril, "bool", [3, 3]), 3)).toBe(true);
    expect(isCausalMask(b.constant([...tril.slice(0, 8), false], "bool", [3, 3]), 3)).toBe(false);
    expect(isCausalMask(b.constant(tril.map((x) => !x), "bool", [3, 3]), 3)).toBe(false);
  });

  test("attention with the causal mask is Attention(is_causal=1) without a mask input", () => {
    const b = new GraphBuilder("g");
    const [q, k, v] = ["q", "k", "v"].map((n) => b.addInput(n, { dtype: "float32", shape: ["B", 2, "T", 8] }));
    const scores = b.op("Mul", [b.op("MatMul", [q, b.op("Transpose", [k], { perm: [0, 1, 3, 2] })]), b.scalar(0.25, "float32")]);
    const full = b.op("Expand", [trilMask(b), b.int64s([1, 2, 1, 1])], {}, { types: [{ dtype: "bool", shape: ["B", 2, "T", "T"] }] });
    const logits = b.op("Where", [full, scores, b.scalar(-Infinity, "float32")]);
    b.graph.outputs.push(b.op("MatMul", [b.op("Softmax", [logits], { axis: 3 }), v]));
    expect(fuse(b, 23).ops).toEqual(["Attention"]);
    const att = b.graph.nodes[0];
    expect(att.inputs).toEqual([q, k, v]);
    expect(att.attrs.is_causal?.value).toBe(1);
  });
});
