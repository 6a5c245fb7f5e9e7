/**
 * lax.linalg.lu(a) -> (lu, pivots, permutation), as LAPACK getrf and JAX return them: partial
 * pivoting where step k takes the first row i >= k with the largest |a[i, k]|, swaps it with
 * row k (pivots[k] = i), and eliminates below; lu holds U on and above the diagonal and L's
 * multipliers below it (L's unit diagonal implied); permutation is the row order the swaps make
 * (a[permutation] = L U). Unrolled over min(m, n) steps of a static m x n matrix (leading batch
 * dims allowed): the swap is a GatherElements of the rows, the elimination a masked outer
 * product. A zero pivot leaves its column's multipliers 0 (LAPACK skips the scaling there).
 */
import { onnxTypeCode, type LoweringRule, type Value } from "../../src/core";
import { block } from "./triangular_solve";

export const luRule: LoweringRule = {
  primitive: "lu",
  onnxOps: ["Slice", "Abs", "Add", "ArgMax", "Equal", "Where", "GatherElements", "Expand", "Mul", "Div", "Sub", "Cast", "Squeeze", "Concat"],
  lower(ctx) {
    let a = ctx.input(0);
    const r = a.type.shape.length;
    const staticDim = (d: (typeof a.type.shape)[number]): number => (typeof d === "number" ? d : ctx.fail("the matrix shape must be static (the factorization is unrolled over it)"));
    const [m, n] = [staticDim(a.type.shape[r - 2]), staticDim(a.type.shape[r - 1])];
    const dtype = a.type.dtype;
    const rowIds = ctx.constant(Array.from({ length: m }, (_, i) => i), "int64", [m, 1]);
    let perm: Value = ctx.op("Expand", [rowIds, ctx.shape([...a.type.shape.slice(0, r - 2), m, 1])]);
    const pivots: Value[] = [];
    for (let k = 0; k < Math.min(m, n); k++) {
      // The pivot row: argmax over |a[k:, k]| (ArgMax returns the first maximum), offset by k.
      const column = ctx.op("Abs", [block(ctx, a, k, m, k, k + 1)]);
      const p = ctx.op("Add", [ctx.op("ArgMax", [column], { axis: -2, keepdims: 1 }), ctx.int64s([k])]); // [..., 1, 1]
      pivots.push(p);
      // Row order after swapping k and p: i -> p if i == k, k if i == p, else i.
      const kk = ctx.int64s([k]);
      const order = ctx.op("Where", [ctx.op("Equal", [rowIds, kk]), p, ctx.op("Where", [ctx.op("Equal", [rowIds, p]), kk, rowIds])]); // [..., m, 1]
      a = ctx.op("GatherElements", [a, ctx.op("Expand", [order, ctx.shape([...a.type.shape.slice(0, r - 1), n])])], { axis: -2 }, { types: [a.type] });
      perm = ctx.op("GatherElements", [perm, order], { axis: -2 }, { types: [{ dtype: "int64", shape: order.type.shape }] });
      if (k === m - 1) break;
      // Multipliers f = a[k+1:, k] / a[k, k] (zero elsewhere); a[i, j] -= f_i a[k, j] for j > k; a[i, k] = f_i.
      const below = ctx.constant(Array.from({ length: m }, (_, i) => (i > k ? 1 : 0)), dtype, [m, 1]);
      // A zero pivot (the whole column below is zero too) skips the scaling, as LAPACK's getrf
      // does (it only records the singularity): the multipliers stay 0 instead of 0 / 0.
      const pivot = block(ctx, a, k, k + 1, k, k + 1);
      const zeroPivot = ctx.op("Equal", [pivot, ctx.scalar(0, dtype)]);
      const f = ctx.op("Mul", [ctx.op("Where", [zeroPivot, ctx.scalar(0, dtype), ctx.op("Div", [block(ctx, a, 0, m, k, k + 1), pivot])]), below]);
      const right = ctx.constant(Array.from({ length: n }, (_, j) => (j > k ? 1 : 0)), dtype, [1, n]);
      const atK = ctx.constant(Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)), dtype, [1, n]);
      const updated = ctx.op("Sub", [a, ctx.op("Mul", [ctx.op("Mul", [f, block(ctx, a, k, k + 1, 0, n)]), right])]);
      // Column k below the diagonal becomes f: keep a there only where the row is not below k.
      const keep = ctx.op("Sub", [ctx.scalar(1, dtype), ctx.op("Mul", [below, atK])]);
      a = ctx.op("Add", [ctx.op("Mul", [updated, keep]), ctx.op("Mul", [f, atK])]);
    }
    const toInt32 = (v: Value): Value => ctx.op("Cast", [v], { to: onnxTypeCode(ctx.outAval(1).dtype) });
    const pivotVector = toInt32(ctx.op("Squeeze", [ctx.op("Concat", pivots, { axis: -2 }), ctx.int64s([-1])]));
    const permutation = ctx.op("Cast", [ctx.op("Squeeze", [perm, ctx.int64s([-1])])], { to: onnxTypeCode(ctx.outAval(2).dtype) });
    return [a, pivotVector, permutation];
  },
};
