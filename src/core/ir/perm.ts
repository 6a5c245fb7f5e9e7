/** Permutations as ONNX Transpose uses them: output dim i is input dim perm[i]. */

export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

export const isIdentityPerm = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);

/** `xs` permuted: element i of the result is xs[perm[i]]. */
export const permute = <T>(xs: readonly T[], perm: readonly number[]): T[] => perm.map((i) => xs[i]);
