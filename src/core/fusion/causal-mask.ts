/**
 * Whether a boolean mask is the causal one, `jnp.tril(jnp.ones((t, t), bool))` (keep key j for
 * query i when j <= i), as our rules lower it: an iota compared with itself across two axes,
 *   where(row + 0 >= col, 1, 0) cast to bool, with leading size-1 dims added,
 * where row is the iota [T, 1] (broadcast to [T, T]) and col the iota [1, T]; an iota is
 * Cast(Range(0, T, 1)) put on its axis by an Unsqueeze, or a constant 0..T-1 (static T).
 * ONNX Attention's `is_causal` masks exactly this for S = T (its mask is the lower triangle
 * aligned at the top left), so the Attention rule can drop such a mask and set is_causal.
 */
import { knownValues, type Node, type Value } from "../ir/ir";
import type { Dim } from "../ir/dims";
import { broadcastScalar, producer, scalarValue } from "./graph-reading";

const sameDim = (a: Dim, b: Dim): boolean => a !== null && a === b;
const sameDims = (a: readonly Dim[], b: readonly Dim[]): boolean => a.length === b.length && a.every((d, i) => sameDim(d, b[i]));
const nonUnit = (shape: readonly Dim[]): Dim[] => shape.filter((d) => d !== 1);

function isIota(values: readonly number[]): boolean {
  return values.every((x, i) => x === i);
}

/** A 1-D 0, 1, ..., n-1: Range(0, n, 1) (through Casts) or such a constant. */
function isIotaValue(v: Value | null): boolean {
  let cur = v;
  while (cur && producer(cur, "Cast")) cur = producer(cur, "Cast")!.inputs[0];
  if (!cur || cur.type.shape.length !== 1) return false;
  const known = knownValues(cur);
  if (known) return isIota(known);
  const range = producer(cur, "Range");
  return !!range && scalarValue(range.inputs[0]) === 0 && scalarValue(range.inputs[2]) === 1;
}

/**
 * `v` ([T, T] or broadcasting to it) holds each element's index along `axis` (0 rows, 1 cols)
 * of a dim of size `size`: an iota with a size-1 dim on the other axis, through Expand and + 0.
 */
function isIndexAlong(v: Value | null, axis: 0 | 1, size: Dim): boolean {
  let cur = v;
  for (;;) {
    const add = producer(cur, "Add");
    if (add) {
      const [a, b] = add.inputs;
      cur = broadcastScalar(b) === 0 ? a : broadcastScalar(a) === 0 ? b : null;
      continue;
    }
    const expand = producer(cur, "Expand");
    if (expand) {
      cur = expand.inputs[0];
      continue;
    }
    break;
  }
  const shape = cur?.type.shape;
  if (!cur || shape?.length !== 2 || shape[1 - axis] !== 1 || !sameDim(shape[axis], size)) return false;
  const known = knownValues(cur);
  if (known) return isIota(known);
  const unsq = producer(cur, "Unsqueeze");
  return !!unsq && isIotaValue(unsq.inputs[0]);
}

/** Whether `mask` keeps exactly the keys j <= i of an [S, S] score matrix (S = `size`). */
export function isCausalMask(mask: Value, size: Dim): boolean {
  // Every step keeps the last two dims [S, S] (the query and key axes of the scores).
  const lastTwo = (v: Value): readonly Dim[] => v.type.shape.slice(-2);
  if (!sameDims(lastTwo(mask), [size, size])) return false;
  let cur: Value | null = mask;
  for (;;) {
    const n: Node | null = cur?.producer ?? null;
    if (!cur || !n || n.domain !== "" || !n.inputs[0]) break;
    const inner: Value = n.inputs[0];
    // Unit dims added or dropped (Unsqueeze, Squeeze, Reshape), leading dims broadcast (Expand).
    const reshaped: boolean = ["Unsqueeze", "Squeeze", "Reshape"].includes(n.op) && sameDims(nonUnit(inner.type.shape), nonUnit(cur.type.shape));
    const expanded: boolean = n.op === "Expand";
    // and(all true, m): jax.nn.dot_product_attention's is_causal without a mask of its own.
    const and: Value | null = n.op === "And" ? (broadcastScalar(n.inputs[0]) === 1 ? n.inputs[1] : broadcastScalar(n.inputs[1]) === 1 ? n.inputs[0] : null) : null;
    const next: Value | null = and ?? (reshaped || expanded ? inner : null);
    if (!next || !sameDims(lastTwo(next), [size, size])) break;
    cur = next;
  }
  const shape = cur?.type.shape;
  if (!cur || shape?.length !== 2 || !sameDim(shape[0], size) || !sameDim(shape[1], size)) return false;
  const known = knownValues(cur);
  if (known) return known.every((x, k) => (x !== 0) === (k % (shape[1] as number) <= Math.floor(k / (shape[1] as number))));
  // tril(ones) cast to bool: where(cond, 1, 0) -> cond.
  const cast = producer(cur, "Cast");
  if (cast) {
    const where = producer(cast.inputs[0], "Where");
    if (!where || broadcastScalar(where.inputs[1]) === 0 || broadcastScalar(where.inputs[1]) === null || broadcastScalar(where.inputs[2]) !== 0) return false;
    cur = where.inputs[0];
  }
  const ge = producer(cur, "GreaterOrEqual");
  if (ge) return isIndexAlong(ge.inputs[0], 0, size) && isIndexAlong(ge.inputs[1], 1, size);
  const le = producer(cur, "LessOrEqual");
  if (le) return isIndexAlong(le.inputs[0], 1, size) && isIndexAlong(le.inputs[1], 0, size);
  return false;
}
