/**
 * `layout_chain`: a run of layout-only ops (Transpose, Squeeze, Unsqueeze, Reshape, Identity)
 * that keeps the element order of its input is one reshape. Equinox's pools are
 * `transpose(1,2,0) -> expand_dims(0) -> NHWC pool -> squeeze(0) -> transpose(2,0,1)` on a CHW
 * image; with the pool's own NHWC->NCHW Transposes that is Transpose/Unsqueeze/Transpose in front
 * of the pool, which together only add a unit dim. Cases (the root is the chain's last op; every
 * intermediate value is read by the next op only):
 *  1. The whole chain keeps the order: it becomes Identity (same type, removed later), Squeeze or
 *     Unsqueeze (only unit dims dropped or added; axes as an input: opset 13+), or a Reshape to a
 *     static shape.
 *  2. The root is a Reshape to a constant shape and the ops before it keep the order: the
 *     Reshape reads the chain's start (a Reshape only sees elements in row-major order); a 0 in
 *     the shape (ONNX Reshape's "copy this dim") only where the start has the same dim.
 * Reshape, Squeeze, Unsqueeze and Identity alone always keep the order (cases 1 and 2), also
 * when they merge or split dims (the attention fusions' [B, S, H*D] <-> [B, S, H, D]).
 *  3. The chain moves dims (a real transpose) between a start and a result without unit dims:
 *     one Transpose (jax.nn.dot_product_attention's output, Attention's [B,N,T,H] through
 *     Transpose/Unsqueeze/Transpose/Squeeze to [B,T,N,H], after the attention fusion).
 * Order is tracked on the non-unit dims only: a Transpose permutes them, the others must keep
 * their sequence (by size, symbolic dims by name); the chain keeps the order when the dims end
 * in their original sequence.
 */
import { attr, knownValues, type Node, type Value } from "../ir/ir";
import type { Dim } from "../ir/dims";
import { op, v, type Pattern } from "./pattern";
import { reject, type FusedNode, type FusionContext, type FusionRule } from "./rule";

const LAYOUT_OPS = new Set(["Transpose", "Squeeze", "Unsqueeze", "Reshape", "Identity"]);

const isLayout = (n: Node | null): n is Node => n !== null && n.domain === "" && LAYOUT_OPS.has(n.op) && n.outputs.length === 1 && n.inputs[0] !== null;

/** For each dim: the index of the start's dim it holds, or null for a unit dim. */
type DimOrigins = readonly (number | null)[];

const nonUnit = (shape: readonly Dim[]): Dim[] => shape.filter((d) => d !== 1);

/** The origins after `n`, or null when it is not a layout op whose effect we can follow. */
function follow(n: Node, origins: DimOrigins): DimOrigins | null {
  const inShape = n.inputs[0]!.type.shape;
  const outShape = n.outputs[0].type.shape;
  if ([...inShape, ...outShape].some((d) => d === null)) return null;
  if (n.op === "Transpose") {
    const perm = n.attrs.perm?.type === "ints" ? n.attrs.perm.value : inShape.map((_, i) => inShape.length - 1 - i);
    return perm.map((p) => origins[p] ?? null);
  }
  // Squeeze, Unsqueeze, Identity, and a Reshape that only adds or drops unit dims.
  const [a, b] = [nonUnit(inShape), nonUnit(outShape)];
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) return null;
  const kept = origins.filter((o) => o !== null);
  let next = 0;
  return outShape.map((d) => (d === 1 ? null : kept[next++]));
}

const inOrder = (origins: DimOrigins): boolean => {
  const kept = origins.filter((o): o is number => o !== null);
  return kept.every((o, i) => i === 0 || kept[i - 1] < o);
};

/** The chain's nodes ending at `root`, first node first, through sole-reader values. */
function chainTo(root: Node, ctx: FusionContext): Node[] {
  const chain = [root];
  for (;;) {
    const input = chain[0].inputs[0]!;
    const p = input.producer;
    if (!isLayout(p) || ctx.readers(input) !== 1) return chain;
    chain.unshift(p);
  }
}

/** Where each dim of the chain's result comes from in its start, or null when it cannot be followed. */
function originsAfter(nodes: readonly Node[]): DimOrigins | null {
  let origins: DimOrigins | null = nodes[0].inputs[0]!.type.shape.map((d, i) => (d === 1 ? null : i));
  for (const n of nodes) {
    origins = follow(n, origins);
    if (!origins) return null;
  }
  return origins;
}

/** Whether `nodes` applied to their first node's input keep the element order. */
function keepsOrder(nodes: readonly Node[]): boolean {
  const origins = originsAfter(nodes);
  return origins !== null && inOrder(origins);
}

/** Reshape, Squeeze, Unsqueeze and Identity read and write elements in row-major order: a chain of only those keeps it, whatever dims it merges or splits. */
const reshapesOnly = (nodes: readonly Node[]): boolean => nodes.every((n) => n.op !== "Transpose");

/** Case 3: the permutation the chain applies, when neither its start nor its result has a unit dim. */
function netPermutation(nodes: readonly Node[]): number[] | null {
  const start = nodes[0].inputs[0]!.type.shape;
  const origins = originsAfter(nodes);
  if (!origins || start.includes(1) || origins.length !== start.length || origins.some((o) => o === null)) return null;
  return origins as number[];
}

/** The axes of `long` that are dropped to get `short` (unit dims only), or null. */
function droppedUnitAxes(long: readonly Dim[], short: readonly Dim[]): number[] | null {
  const axes: number[] = [];
  let j = 0;
  long.forEach((d, i) => {
    if (j < short.length && d === short[j]) j++;
    else axes.push(i);
  });
  return j === short.length && axes.every((i) => long[i] === 1) ? axes : null;
}

type OneOp = { readonly op: "Identity" } | { readonly op: "Squeeze" | "Unsqueeze"; readonly axes: number[] } | { readonly op: "Reshape"; readonly shape: number[] };

/** The one op from shape `s` to shape `t` when both hold the same elements in the same order. */
function oneOp(s: readonly Dim[], t: readonly Dim[]): OneOp | null {
  if (s.length === t.length && s.every((d, i) => d === t[i])) return { op: "Identity" };
  const squeezed = s.length > t.length ? droppedUnitAxes(s, t) : null;
  if (squeezed) return { op: "Squeeze", axes: squeezed };
  const unsqueezed = t.length > s.length ? droppedUnitAxes(t, s) : null;
  if (unsqueezed) return { op: "Unsqueeze", axes: unsqueezed };
  if (t.every((d): d is number => typeof d === "number" && d > 0)) return { op: "Reshape", shape: [...t] };
  return null;
}

function build(start: Value, o: OneOp, ctx: FusionContext): FusedNode {
  const ints = (a: readonly number[]): Value => ctx.constant(a, "int64", [a.length]);
  switch (o.op) {
    case "Identity": return { op: "Identity", inputs: [start], attrs: {} };
    case "Squeeze":
    case "Unsqueeze": return { op: o.op, inputs: [start, ints(o.axes)], attrs: {} };
    case "Reshape": return { op: "Reshape", inputs: [start, ints(o.shape)], attrs: {} };
  }
}

/**
 * A Reshape's 0 copies that dim of its input: reading `start` instead keeps the meaning when
 * `start` has the same dim there (the attention fusions' [0, 0, heads * dim]).
 */
function zerosCopySameDims(target: readonly number[] | null, start: Value, input: Value): boolean {
  if (!target) return false;
  return target.every((t, i) => t !== 0 || (start.type.shape[i] !== null && start.type.shape[i] !== undefined && start.type.shape[i] === input.type.shape[i]));
}

type Plan =
  | { readonly start: Value; readonly one: OneOp }
  /** Case 3: one Transpose of `start`. */
  | { readonly start: Value; readonly perm: readonly number[] }
  /** Case 2: the root Reshape reads `start` with its own shape input. */
  | { readonly start: Value; readonly shapeInput: Value };

/** The longest chain ending at the root that one op can replace (cases 1 and 2). */
function plan(ctx: FusionContext): Plan | { readonly reason: string } {
  const chain = chainTo(ctx.root, ctx);
  if (chain.length < 2) return { reason: "the input is not another layout op read only here" };
  const root = ctx.root;
  const target = knownValues(root.inputs[1] ?? null);
  const reshapeRoot = root.op === "Reshape" && target !== null && (root.attrs.allowzero?.value !== 1 || !target.includes(0));
  let symbolic = false;
  for (let from = 0; from < chain.length - 1; from++) {
    const nodes = chain.slice(from);
    const start = nodes[0].inputs[0]!;
    if (reshapesOnly(nodes) || keepsOrder(nodes)) {
      const one = oneOp(start.type.shape, root.outputs[0].type.shape);
      if (one) return { start, one }; // Case 1
      symbolic = true;
    }
    const prefix = nodes.slice(0, -1);
    if (reshapeRoot && (reshapesOnly(prefix) || keepsOrder(prefix)) && zerosCopySameDims(target, start, root.inputs[0]!)) return { start, shapeInput: root.inputs[1]! }; // Case 2
    const perm = netPermutation(nodes);
    if (perm) return { start, perm }; // Case 3
  }
  return { reason: symbolic ? "the result has symbolic dims a static Reshape cannot say" : "the layout ops reorder elements (a real transpose)" };
}

const layoutChain = (pattern: Pattern): FusionRule => ({
  name: "layout_chain",
  minOpset: 13,
  pattern,
  check(_b, ctx) {
    const p = plan(ctx);
    return "reason" in p ? reject(p.reason) : true;
  },
  rewrite(_b, ctx) {
    const p = plan(ctx) as Plan;
    if ("shapeInput" in p) return { op: "Reshape", inputs: [p.start, p.shapeInput], attrs: {} }; // Case 2
    if ("perm" in p) return { op: "Transpose", inputs: [p.start], attrs: { perm: attr.ints(p.perm) } }; // Case 3
    return build(p.start, p.one, ctx); // Case 1
  },
});

/** One rule per root op and arity (a pattern names one op with its inputs). */
export const LAYOUT_CHAIN_RULES: readonly FusionRule[] = [
  layoutChain(op("Transpose", v("x"))),
  layoutChain(op("Squeeze", v("x"))),
  layoutChain(op("Squeeze", v("x"), v("axes"))),
  layoutChain(op("Unsqueeze", v("x"), v("axes"))),
  layoutChain(op("Reshape", v("x"), v("shape"))),
  layoutChain(op("Identity", v("x"))),
];
