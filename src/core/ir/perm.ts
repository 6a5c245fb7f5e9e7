/** Permutations as ONNX Transpose uses them: output dim i is input dim perm[i]. */

export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Each of 0..n-1 exactly once (ONNX Transpose's perm must be one). */
export function isPermutation(perm: readonly unknown[], n: number): boolean {
  if (perm.length !== n) return false;
  const seen = new Set<number>();
  // An index loop, not every(): every() skips the holes of a sparse array.
  for (let i = 0; i < n; i++) {
    const p = perm[i];
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p >= n || seen.has(p)) return false;
    seen.add(p);
  }
  return true;
}

export const isIdentityPerm = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);

/** `xs` permuted: element i of the result is xs[perm[i]]. */
export const permute = <T>(xs: readonly T[], perm: readonly number[]): T[] => perm.map((i) => xs[i]);
