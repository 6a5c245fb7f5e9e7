/**
 * lax.dot_general: contracting and batch dims from `dimension_numbers`
 * (((lhs_contract), (rhs_contract)), ((lhs_batch), (rhs_batch))). JAX's result order is
 * batch dims, then lhs free dims, then rhs free dims.
 *  1. x @ W (no batch, contract x's last with W's first, W rank 2): MatMul.
 *  2. x @ W.T (contract W's last): MatMul with W transposed (folded into W when W is a weight).
 *  3. Batched matmul with leading batch dims in order: MatMul.
 *  4. Matrix-vector W @ x (no batch, W rank 2 contracted on its last dim with a rank-1 x;
 *     Equinox's Linear is `weight @ x` on one sample): MatMul(x, W.T), the Transpose folded
 *     into W when W is a weight. MatMul's numpy semantics drop the vector's axis. Not
 *     MatMul(W, x): onnxruntime 1.32 runs that 10x slower than Einsum at [256,3136] @ [3136]
 *     (1 thread: MatMul(W, x) 11.5 ms, Einsum 1.15 ms, MatMul(x, W.T) 0.98 ms).
 *  5. Anything else: Einsum with the equation spelled from the dimension numbers.
 * preferred_element_type: inputs are cast to it first (int8 x int8 -> int32, bf16 -> f32).
 */
import type { DType, LoweringContext, LoweringRule, Value } from "../../src/core";
import { onnxTypeCode } from "../../src/core";

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export const dotGeneralRule: LoweringRule = {
  primitive: "dot_general",
  onnxOps: ["MatMul", "Transpose", "Einsum", "Cast"],
  lower: (ctx) => lowerDotGeneral(ctx, ctx.input(0), ctx.input(1), ctx.outAval().dtype),
};

/** dot_general of two real values with the eqn's dimension numbers, in `dtype` (complex rules call it on parts). */
export function lowerDotGeneral(ctx: LoweringContext, lhsIn: Value, rhsIn: Value, dtype: DType): Value {
  const dn = (i: number, j: number): number[] => ctx.params.ints("dimension_numbers", i, j);
  const [lc, rc, lb, rb] = [dn(0, 0), dn(0, 1), dn(1, 0), dn(1, 1)];
  let [lhs, rhs] = [lhsIn, rhsIn];
  const cast = (v: Value): Value => (v.type.dtype === dtype ? v : ctx.op("Cast", [v], { to: onnxTypeCode(dtype) }));
  lhs = cast(lhs);
  rhs = cast(rhs);
  const lr = lhs.type.shape.length;
  const rr = rhs.type.shape.length;
  const oneContract = lc.length === 1 && rc.length === 1;
  if (lb.length === 0 && oneContract && rr === 2 && lc[0] === lr - 1) {
    if (rc[0] === 0) return ctx.op("MatMul", [lhs, rhs]); // Case 1
    return ctx.op("MatMul", [lhs, ctx.op("Transpose", [rhs], { perm: [1, 0] })]); // Case 2
  }
  const nb = lb.length;
  if (oneContract && same(lb, range(nb)) && same(rb, range(nb)) && lr === nb + 2 && rr === nb + 2 && lc[0] === nb + 1 && rc[0] === nb) {
    return ctx.op("MatMul", [lhs, rhs]); // Case 3
  }
  if (lb.length === 0 && oneContract && rr === 1 && lr === 2 && lc[0] === 1) return ctx.op("MatMul", [rhs, ctx.op("Transpose", [lhs], { perm: [1, 0] })]); // Case 4
  // Case 5
  const letters = "abcdefghijklmnopqrstuvwxyz";
  let next = 0;
  const lhsLetters = range(lr).map(() => "");
  const rhsLetters = range(rr).map(() => "");
  lb.forEach((d, i) => {
    lhsLetters[d] = rhsLetters[rb[i]] = letters[next++];
  });
  lc.forEach((d, i) => {
    lhsLetters[d] = rhsLetters[rc[i]] = letters[next++];
  });
  for (const arr of [lhsLetters, rhsLetters]) arr.forEach((l, i) => (arr[i] = l || letters[next++]));
  if (next > letters.length) ctx.fail("too many dimensions for an Einsum equation");
  const free = (arr: string[], skip: number[]): string => arr.filter((_, i) => !skip.includes(i)).join("");
  const result = lb.map((d) => lhsLetters[d]).join("") + free(lhsLetters, [...lb, ...lc]) + free(rhsLetters, [...rb, ...rc]);
  return ctx.op("Einsum", [lhs, rhs], { equation: `${lhsLetters.join("")},${rhsLetters.join("")}->${result}` });
}
