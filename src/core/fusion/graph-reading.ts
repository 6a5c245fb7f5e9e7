/**
 * Reading computations back out of a lowered graph, for fusions too irregular for one pattern
 * (normalizations, softmax): a mean over axes, a square, a reciprocal square root, reshapes that
 * only add or drop size-1 dims. Each reader returns null when the value is not of that form.
 */
import { knownScalar, knownValues, type Node, type Value } from "../ir/ir";
import { orderByProducer, type Bindings } from "./pattern";
import type { FusionContext } from "./rule";

export function producer(v: Value | null | undefined, op: string): Node | null {
  const n = v?.producer;
  return n && n.op === op && n.domain === "" ? n : null;
}

/**
 * For a commutative root matched as op(v(key), v(other)): the ONNX-domain `opName` node behind
 * binding `key` (the operands ordered first, see orderByProducer) when the root is the only reader
 * of its result, else why not — the opening check of the "fold the Add into its producer" rules.
 */
export function soleOperandProducer(b: Bindings, key: string, opName: string, ctx: FusionContext): Node | { readonly reason: string } {
  orderByProducer(b, key, opName);
  const value = b.get(key)!;
  const node = producer(value, opName);
  if (!node) return { reason: `not a ${opName}` };
  if (ctx.readers(value) !== 1) return { reason: `the ${opName}'s result is read elsewhere too` };
  return node;
}

/** The reduction axes of a ReduceX node (input from opset 13/18, or the attribute), normalized. */
export function reduceAxes(n: Node): number[] | null {
  const rank = n.inputs[0]?.type.shape.length ?? 0;
  const fromInput = n.inputs[1] ? knownValues(n.inputs[1]) : null;
  const attr = n.attrs.axes?.type === "ints" ? n.attrs.axes.value : null;
  const axes = fromInput ?? attr;
  if (!axes) return null;
  return [...axes].map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** `v` with Reshape/Unsqueeze/Squeeze/Identity nodes that keep the element order removed. */
export function throughReshapes(v: Value): Value {
  let cur = v;
  for (;;) {
    const n = cur.producer;
    if (!n || n.domain !== "" || !["Reshape", "Unsqueeze", "Squeeze", "Identity"].includes(n.op) || !n.inputs[0]) return cur;
    cur = n.inputs[0];
  }
}

/** A one-element constant's value, else null (the rules' name for ir's knownScalar). */
export const scalarValue = knownScalar;

/** One number broadcast to a shape (Expand, Unsqueeze, Reshape, Squeeze, Cast of a scalar). */
export function broadcastScalar(value: Value | null): number | null {
  let cur = value;
  while (cur) {
    const known = scalarValue(cur);
    if (known !== null) return known;
    const n = cur.producer;
    if (!n || n.domain !== "" || !["Expand", "Unsqueeze", "Reshape", "Squeeze", "Identity", "Cast"].includes(n.op)) return null;
    cur = n.inputs[0];
  }
  return null;
}

/** `v` = mean of x over `axes` (ReduceSum / count, or ReduceMean), through reshapes. */
export function meanOf(v: Value): { x: Value; axes: number[] } | null {
  const u = throughReshapes(v);
  const mean = producer(u, "ReduceMean");
  if (mean?.inputs[0]) {
    const axes = reduceAxes(mean);
    return axes ? { x: mean.inputs[0], axes } : null;
  }
  const div = producer(u, "Div");
  const sum = div?.inputs[0] ? producer(throughReshapes(div.inputs[0]), "ReduceSum") : null;
  if (!div || !sum?.inputs[0]) return null;
  const axes = reduceAxes(sum);
  const x = sum.inputs[0];
  if (!axes) return null;
  const count = axes.reduce((p, a) => (typeof x.type.shape[a] === "number" && p !== null ? p * (x.type.shape[a] as number) : null), 1 as number | null);
  return count !== null && scalarValue(div.inputs[1]) === count ? { x, axes } : null;
}

/** `v` = a * a (Mul or Pow 2): returns a. */
export function squareOf(v: Value): Value | null {
  const mul = producer(v, "Mul");
  if (mul && mul.inputs[0] && mul.inputs[0] === mul.inputs[1]) return mul.inputs[0];
  const pow = producer(v, "Pow");
  return pow?.inputs[0] && scalarValue(pow.inputs[1]) === 2 ? pow.inputs[0] : null;
}

/** `v` = 1 / sqrt(a) (Reciprocal(Sqrt(a)), Div(1, Sqrt(a))): returns a. */
export function rsqrtOf(v: Value): Value | null {
  const rcp = producer(v, "Reciprocal");
  if (rcp) return producer(rcp.inputs[0], "Sqrt")?.inputs[0] ?? null;
  const div = producer(v, "Div");
  if (div && scalarValue(div.inputs[0]) === 1) return producer(div.inputs[1], "Sqrt")?.inputs[0] ?? null;
  return null;
}

export const sameAxes = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
