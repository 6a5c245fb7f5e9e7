/**
 * Bounds a capture must stay within, so that a corrupted or hostile one is rejected by the
 * decoder with a typed error instead of exhausting the stack or memory later (lowering, passes
 * and the serializer recurse into nested jaxprs and trust static sizes).
 */

/**
 * JSON nesting of the header. Real captures nest about five levels per nested jaxpr
 * ($jaxpr -> jaxpr -> eqns -> eqn -> params) plus a few for tuple params: 512 allows ~100 nested
 * jaxprs, far beyond JAX programs, and keeps every recursive consumer far from the stack limit.
 */
export const MAX_JSON_DEPTH = 512;

/** numpy (and so JAX) arrays have at most 64 dimensions (NPY_MAXDIMS in numpy 2). */
export const MAX_RANK = 64;

/**
 * Elements of one static shape: 2^40 (4 TiB of float32) is past anything a runtime can hold;
 * a shape beyond it is a corrupted capture. Products stay exact below 2^53.
 */
export const MAX_ELEMENTS = 2 ** 40 - 1;

/** A symbolic dimension's text (`"2*B + 1"`); JAX's are a few dozen characters. */
export const MAX_DIM_TEXT = 256;

/**
 * The JSON path of the first value nested deeper than `limit` in `value`, or null. Walked with
 * an explicit stack (the check itself must not be what overflows) of values and depths only:
 * the path is rebuilt, by a second walk, only for a header that fails. Every header passes
 * through here, so the common case allocates nothing per value.
 */
export function pathDeeperThan(value: unknown, limit: number): string | null {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > limit) return pathTo(value, v, depth);
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === "object") values.push(x), depths.push(depth + 1);
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== null && typeof x === "object") values.push(x), depths.push(depth + 1);
      }
    }
  }
  return null;
}

/** The JSON path from `root` to the object `target`, found at `depth` (depth first, explicit stack). */
function pathTo(root: unknown, target: unknown, depth: number): string {
  const stack: { readonly v: unknown; readonly path: string; readonly depth: number }[] = [{ v: root, path: "$", depth: 1 }];
  while (stack.length) {
    const at = stack.pop()!;
    if (at.v === target) return at.path;
    if (at.v === null || typeof at.v !== "object" || at.depth >= depth) continue;
    const next = at.depth + 1;
    if (Array.isArray(at.v)) at.v.forEach((x, i) => stack.push({ v: x, path: `${at.path}[${i}]`, depth: next }));
    else for (const [k, x] of Object.entries(at.v)) stack.push({ v: x, path: `${at.path}.${k}`, depth: next });
  }
  return "$";
}
