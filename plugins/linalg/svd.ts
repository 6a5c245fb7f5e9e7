/**
 * lax.linalg.svd(a, full_matrices, compute_uv) -> (s, u, vh) or (s,): a = u diag(s) vh with s
 * descending. Static m x n, leading batch dims allowed; a wide matrix is handled as the SVD of
 * its transpose (a^T = u' s vh' gives u = vh'^T, vh = u'^T).
 *
 * One-sided Jacobi (Hestenes) on the columns of a (m >= n; an odd n gets a zero column): each
 * round-robin round rotates n/2 disjoint column pairs to orthogonality (the rotation that
 * diagonalizes their Gram block [[|b_p|^2, b_p.b_q], [b_p.b_q, |b_q|^2]], plugins/shared/jacobi.ts)
 * and V alike, so B = a V ends with orthogonal columns. Sweeps stop once every pair has
 * |b_p.b_q| <= m eps |b_p| |b_q| (float32: 4-8 sweeps up to n = 32). Then B is recomputed as
 * a V from the input (see below) and s_j = |b_j| / |v_j|, sorted descending (TopK, stable) with
 * V's columns; u comes from a Householder QR of the sorted B
 * (plugins/shared/householder.ts): its first n columns are +-b_j / s_j, signed by r's diagonal,
 * and the rest complete an orthonormal basis (full_matrices), which is also what u gets for
 * s_j = 0, where b_j / s_j is undefined.
 *
 * Singular vectors are unique only up to a common sign per pair (u_j, v_j) (and a rotation within
 * a repeated singular value): this rule does not reproduce LAPACK's (gesdd's) signs, which come
 * from its bidiagonalization, not a convention; the cases compare s, u diag(s) vh = a,
 * orthogonality and u, vh after fixing each pair's sign. The extra columns of a full u are any
 * orthonormal completion, as in LAPACK: only their orthogonality is compared.
 */
import type { LoweringContext, LoweringRule, Value } from "../../src/core";
import { householderQr } from "../shared/householder";
import { batchedIdentity, jacobiSweeps, machineEpsilon, rotatePairs, rotationFor } from "../shared/jacobi";

function swapLast(ctx: LoweringContext, v: Value): Value {
  const r = v.type.shape.length;
  return ctx.op("Transpose", [v], { perm: [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2] });
}

/** s, u, vh of a tall (m >= n) matrix; u and vh only when `vectors`. */
function tallSvd(ctx: LoweringContext, a: Value, vectors: boolean, full: boolean): Value[] {
  const rank = a.type.shape.length;
  const batch = a.type.shape.slice(0, rank - 2);
  const [m, n] = a.type.shape.slice(rank - 2) as [number, number];
  const dtype = a.type.dtype;
  const tolerance = m * machineEpsilon(ctx, dtype);
  const n2 = n + (n % 2);
  const padded = n2 > n ? ctx.op("Pad", [a, ctx.int64s([...new Array<number>(2 * rank - 1).fill(0), 1])]) : a;
  const sum = (x: Value, axis: number): Value => ctx.op("ReduceSum", [x, ctx.int64s([axis])], { keepdims: 1 });
  const eye = ctx.constant(Array.from({ length: n2 * n2 }, (_, i) => (i % (n2 + 1) === 0 ? 1 : 0)), dtype, [n2, n2]);
  const [, v] = jacobiSweeps(ctx, {
    n: n2,
    carries: [padded, batchedIdentity(ctx, n2, dtype, batch)],
    round(pairs, [x, vecs]) {
      const colsP = ctx.op("Gather", [x, pairs.p], { axis: -1 });
      const colsQ = ctx.op("Gather", [x, pairs.q], { axis: -1 });
      const dot = (u: Value, w: Value): Value => sum(ctx.op("Mul", [u, w]), -2); // [..., 1, n/2]
      const { c, s } = rotationFor(ctx, dot(colsP, colsP), dot(colsQ, colsQ), dot(colsP, colsQ));
      return [rotatePairs(ctx, x, pairs, c, s, -1), rotatePairs(ctx, vecs, pairs, c, s, -1)];
    },
    unconverged([x]) {
      // max over pairs of |g_pq| / (|b_p| |b_q|) from the Gram matrix g = B^T B (0 where g_pq = 0).
      const g = ctx.op("MatMul", [swapLast(ctx, x), x]);
      const norms = ctx.op("Sqrt", [ctx.op("ReduceSum", [ctx.op("Mul", [g, eye]), ctx.int64s([-1])], { keepdims: 1 })]); // [..., n, 1]
      const scale = ctx.op("Mul", [norms, swapLast(ctx, norms)]);
      const off = ctx.op("Mul", [ctx.op("Abs", [g]), ctx.op("Sub", [ctx.scalar(1, dtype), eye])]);
      const ratio = ctx.op("Where", [ctx.op("Equal", [off, ctx.scalar(0, dtype)]), ctx.scalar(0, dtype), ctx.op("Div", [off, scale])]);
      return ctx.op("Greater", [ctx.op("ReduceMax", [ratio], { keepdims: 0 }), ctx.scalar(tolerance, dtype)]);
    },
  });
  // s_j = |a v_j| / |v_j| from the input, not the rotated columns b_j, which carry the rounding of
  // every round (float32, 64 x 64: 6.5e-5 off JAX): to first order a v_j's error is orthogonal to
  // a v_j, so the norm's error is quadratic in v_j's. u is the orthonormalized a V as well.
  const columnNorms = (x: Value): Value => ctx.op("Sqrt", [ctx.op("ReduceSum", [ctx.op("Mul", [x, x]), ctx.int64s([-2])], { keepdims: 0 })]); // [..., n2]
  const av = ctx.op("MatMul", [padded, v]);
  const norms = ctx.op("Div", [columnNorms(av), columnNorms(v)]);
  // The padded column has norm 0 and the highest index, so the stable TopK puts it last: cut.
  const [s, order] = ctx.ops("TopK", [norms, ctx.int64s([n])], { axis: -1, largest: 1, sorted: 1 });
  if (!vectors) return [s];
  // Expand to a computed shape: its type says the batch dims, which the shape tensor hides.
  const columns = (rows: number): Value => ctx.op("Expand", [ctx.op("Unsqueeze", [order, ctx.int64s([-2])]), ctx.shape([...batch, rows, n])], {}, { types: [{ dtype: "int64", shape: [...batch, rows, n] }] });
  const sortedB = ctx.op("GatherElements", [av, columns(m)], { axis: -1 });
  const vRows = n2 > n ? ctx.op("Slice", [v, ctx.int64s([0]), ctx.int64s([n]), ctx.int64s([-2])]) : v;
  const sortedV = ctx.op("GatherElements", [vRows, columns(n)], { axis: -1 });
  const { q, r } = householderQr(ctx, sortedB);
  // Column j of q is +-b_j / s_j: the sign of r_jj (+1 where r_jj = 0) turns it into b_j / s_j.
  const rTop = m > n ? ctx.op("Slice", [r, ctx.int64s([0]), ctx.int64s([n]), ctx.int64s([-2])]) : r;
  const eyeN = ctx.constant(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), dtype, [n, n]);
  const diagonal = ctx.op("ReduceSum", [ctx.op("Mul", [rTop, eyeN]), ctx.int64s([-2])], { keepdims: 1 }); // [..., 1, n]
  const sign = ctx.op("Where", [ctx.op("Less", [diagonal, ctx.scalar(0, dtype)]), ctx.scalar(-1, dtype), ctx.scalar(1, dtype)]);
  const qFirst = m > n ? ctx.op("Slice", [q, ctx.int64s([0]), ctx.int64s([n]), ctx.int64s([-1])]) : q;
  const uFirst = ctx.op("Mul", [qFirst, sign]);
  const u = full && m > n ? ctx.op("Concat", [uFirst, ctx.op("Slice", [q, ctx.int64s([n]), ctx.int64s([m]), ctx.int64s([-1])])], { axis: -1 }) : uFirst;
  return [s, u, swapLast(ctx, sortedV)];
}

export const svdRule: LoweringRule = {
  primitive: "svd",
  onnxOps: ["Loop", "Gather", "GatherElements", "Concat", "MatMul", "ReduceSum", "ReduceMax", "Sqrt", "Div", "Where", "TopK", "Pad", "Slice", "Transpose", "Expand"],
  minOpset: 13,
  lower(ctx) {
    const a = ctx.input(0);
    const rank = a.type.shape.length;
    const [m, n] = a.type.shape.slice(rank - 2).map((d) => (typeof d === "number" ? d : ctx.fail("the matrix shape must be static (the rotation tables are built for it)")));
    if (m === 0 || n === 0) ctx.fail("svd of an empty matrix is not supported");
    if (ctx.params.has("subset_by_index") && !ctx.params.isNone("subset_by_index")) ctx.fail("subset_by_index is not supported: compute all singular values and slice");
    const vectors = ctx.params.bool("compute_uv");
    const full = ctx.params.bool("full_matrices");
    if (m >= n) return tallSvd(ctx, a, vectors, full);
    const [s, u, vh] = tallSvd(ctx, swapLast(ctx, a), vectors, full);
    return vectors ? [s, swapLast(ctx, vh), swapLast(ctx, u)] : [s];
  },
};
