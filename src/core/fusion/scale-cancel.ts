/**
 * `scale_cancel`: Div(L(Mul(x, k)), k), with k one scalar constant and L a run of layout-only
 * ops (Transpose, Squeeze, Unsqueeze, Reshape, Identity; none, one or several) -> L(x). Our
 * reduce_window_sum is AveragePool * window size; Equinox's AvgPool divides that sum by the
 * window size after moving it back to CHW, so the product and the quotient cancel (a layout op
 * moves elements without touching them, so it commutes with a scalar Mul). With L empty over an
 * AveragePool, `avg_pool` (rules.ts) rewrites first; an empty L otherwise leaves Identity(x).
 * The result is x itself where JAX computes (x * k) / k: equal up to one rounding of the two
 * (exact for powers of two), and finite where x * k would overflow.
 */
import type { Node, Value } from "../ir/ir";
import { op, v } from "./pattern";
import { scalarValue } from "./graph-reading";
import { reject, type FusionContext, type FusionRule } from "./rule";

const LAYOUT_OPS = new Set(["Transpose", "Squeeze", "Unsqueeze", "Reshape", "Identity"]);

interface Cancel {
  /** Mul's other operand. */
  readonly x: Value;
  /** The layout ops between the Mul and the Div, Mul's side first. */
  readonly layout: readonly Node[];
}

function findCancel(divided: Value, k: number, ctx: FusionContext): Cancel | { readonly reason: string } {
  const layout: Node[] = [];
  let cur = divided;
  for (;;) {
    const p = cur.producer;
    if (ctx.readers(cur) !== 1) return { reason: "a value between the Mul and the Div is read elsewhere too" };
    if (!p || p.domain !== "") return { reason: "the dividend is not a Mul by a constant (through layout ops)" };
    if (p.op === "Mul") {
      const side = [0, 1].find((i) => scalarValue(p.inputs[i]) === k && p.inputs[i]!.type.shape.length === 0 && p.inputs[1 - i]);
      if (side === undefined) return { reason: "the Mul's factor is not the divisor" };
      return { x: p.inputs[1 - side]!, layout };
    }
    if (!LAYOUT_OPS.has(p.op) || !p.inputs[0]) return { reason: "the dividend is not a Mul by a constant (through layout ops)" };
    layout.unshift(p);
    cur = p.inputs[0];
  }
}

export const scaleCancel: FusionRule = {
  name: "scale_cancel",
  minOpset: 1,
  pattern: op("Div", v("y"), v("k")),
  check(b, ctx) {
    const k = b.get("k")!;
    // Rank 0 only: a [1] divisor would broadcast a rank-0 dividend up.
    if (scalarValue(k) === null || k.type.shape.length !== 0) return reject("the divisor is not a rank-0 constant");
    if (scalarValue(k) === 0) return reject("the divisor is 0");
    const found = findCancel(b.get("y")!, scalarValue(k)!, ctx);
    return "reason" in found ? reject(found.reason) : true;
  },
  rewrite(b, ctx) {
    const { x, layout } = findCancel(b.get("y")!, scalarValue(b.get("k"))!, ctx) as Cancel;
    if (!layout.length) return { op: "Identity", inputs: [x], attrs: {} };
    // The layout ops again on x; the last one is the root (the Div's output keeps its name).
    let cur = x;
    for (const n of layout.slice(0, -1)) cur = ctx.node(n.op, [cur, ...n.inputs.slice(1)], n.attrs, n.outputs[0].type);
    const last = layout[layout.length - 1];
    return { op: last.op, inputs: [cur, ...last.inputs.slice(1)], attrs: last.attrs };
  },
};
