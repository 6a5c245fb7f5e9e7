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

interface Visit {
  readonly v: unknown;
  readonly depth: number;
  readonly key: string | number;
  readonly parent: Visit | null;
}

function pathOf(visit: Visit): string {
  const keys: (string | number)[] = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.push(at.key);
  return "$" + keys.reverse().map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("");
}

/**
 * The JSON path of the first value nested deeper than `limit` in `value`, or null. Walked with
 * an explicit stack: the check itself must not be what overflows.
 */
export function pathDeeperThan(value: unknown, limit: number): string | null {
  const stack: Visit[] = [{ v: value, depth: 1, key: "$", parent: null }];
  while (stack.length) {
    const visit = stack.pop()!;
    const { v, depth } = visit;
    if (v === null || typeof v !== "object") continue;
    if (depth > limit) return pathOf(visit);
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, key: i, parent: visit }));
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, key: k, parent: visit });
  }
  return null;
}
