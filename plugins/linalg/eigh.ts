/**
 * lax.linalg.eigh(a, lower, sort_eigenvalues) -> (v, w): eigenvectors (columns of v) and
 * eigenvalues w of the symmetric matrix whose `lower` (else upper) triangle a holds (the other
 * triangle is not read; jnp.linalg.eigh symmetrizes before). Static n x n, leading batch dims.
 *
 * Cyclic Jacobi in round-robin order (plugins/shared/jacobi.ts): each round rotates n/2 disjoint
 * pairs, A <- J^T A J and V <- V J, and sets the rotated entries A_pq = A_qp to the 0 they are in
 * exact arithmetic (so rounding from the large diagonal never stays off the diagonal and the
 * off-diagonal norm keeps falling quadratically). Sweeps stop once the off-diagonal Frobenius
 * norm is <= eps ||A||_F in every matrix of the batch (float32: 4-7 sweeps for n <= 33).
 *
 * w is sorted ascending with v's columns alike (TopK is stable). JAX on CPU (LAPACK syevd)
 * returns ascending eigenvalues with or without sort_eigenvalues, so both sort. Eigenvectors are
 * unique only up to sign (and a rotation within a repeated eigenvalue): this rule does not
 * reproduce LAPACK's signs, which follow from its tridiagonal reduction, not a convention; the
 * cases compare A v = v diag(w), v^T v = I, w itself and v after fixing each column's sign.
 */
import { onnxTypeCode, type LoweringRule, type Value } from "../../src/core";
import { batchedIdentity, jacobiSweeps, machineEpsilon, rotatePairs, rotationFor, type RoundPairs } from "../shared/jacobi";

export const eighRule: LoweringRule = {
  primitive: "eigh",
  onnxOps: ["Loop", "Gather", "GatherElements", "Concat", "Where", "Pad", "TopK", "MatMul", "ReduceSum", "ReduceMax", "Sqrt", "Div", "Mul", "Sub", "Add", "Expand"],
  minOpset: 13,
  lower(ctx) {
    const a = ctx.input(0);
    const r = a.type.shape.length;
    const batch = a.type.shape.slice(0, r - 2);
    const dim = a.type.shape[r - 1];
    const n = typeof dim === "number" ? dim : ctx.fail("the matrix size must be static (the rotation tables are built for it)");
    if (n === 0) ctx.fail("eigh of a 0 x 0 matrix is not supported");
    if (ctx.params.has("subset_by_index") && !ctx.params.isNone("subset_by_index")) ctx.fail("subset_by_index is not supported: compute all eigenvalues and slice");
    const dtype = a.type.dtype;
    const eps = machineEpsilon(ctx, dtype);
    // The symmetric matrix the named triangle describes.
    const lower = ctx.params.bool("lower");
    const inTriangle = ctx.constant(Array.from({ length: n * n }, (_, k) => (lower ? Math.floor(k / n) >= k % n : Math.floor(k / n) <= k % n)), "bool", [n, n]);
    const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
    let sym = ctx.op("Where", [inTriangle, a, ctx.op("Transpose", [a], { perm })]);
    // An odd size gets a zero row and column: its pairs have a_pq = 0 and never rotate.
    const m = n + (n % 2);
    if (m > n) sym = ctx.op("Pad", [sym, ctx.int64s([...new Array<number>(r).fill(0), ...new Array<number>(r - 2).fill(0), 1, 1])]);
    const eye = ctx.constant(Array.from({ length: m * m }, (_, i) => (i % (m + 1) === 0 ? 1 : 0)), dtype, [m, m]);
    const offDiagonal = ctx.op("Sub", [ctx.scalar(1, dtype), eye]);
    const squaredNorm = (x: Value, mask: Value | null): Value => {
      const sq = ctx.op("Mul", [x, x]);
      return ctx.op("ReduceSum", [mask ? ctx.op("Mul", [sq, mask]) : sq, ctx.int64s([-2, -1])], { keepdims: 0 });
    };
    const tolerance = ctx.op("Mul", [ctx.scalar(eps * eps, dtype), squaredNorm(sym, null)]); // (eps ||A||_F)^2, per matrix
    const zeroPairs = (pairs: RoundPairs): Value => {
      // True at (p_i, q_i) and (q_i, p_i): the entries this round's rotations annihilate.
      const ids = ctx.constant(Array.from({ length: m }, (_, i) => i), "int64", [m]);
      const partner = ctx.op("GatherElements", [ctx.op("Concat", [pairs.q, pairs.p], { axis: 0 }), pairs.inverse], { axis: 0 });
      return ctx.op("Equal", [ctx.op("Unsqueeze", [partner, ctx.int64s([1])]), ids]);
    };
    const [, v] = jacobiSweeps(ctx, {
      n: m,
      carries: [sym, batchedIdentity(ctx, m, dtype, batch)],
      round(pairs, [x, vecs]) {
        // a_pp, a_qq, a_pq of each pair, [..., n/2, 1], from rows p and q.
        const rowsP = ctx.op("Gather", [x, pairs.p], { axis: -2 });
        const rowsQ = ctx.op("Gather", [x, pairs.q], { axis: -2 });
        const pick = (rows: Value, cols: Value): Value => {
          const onehot = ctx.op("Cast", [ctx.op("Equal", [ctx.op("Unsqueeze", [cols, ctx.int64s([1])]), ctx.constant(Array.from({ length: m }, (_, i) => i), "int64", [m])])], { to: onnxTypeCode(dtype) });
          return ctx.op("ReduceSum", [ctx.op("Mul", [rows, onehot]), ctx.int64s([-1])], { keepdims: 1 });
        };
        const { c, s } = rotationFor(ctx, pick(rowsP, pairs.p), pick(rowsQ, pairs.q), pick(rowsP, pairs.q));
        const [cT, sT] = [c, s].map((t) => ctx.op("Transpose", [t], { perm }));
        const rotated = rotatePairs(ctx, rotatePairs(ctx, x, pairs, c, s, -2), pairs, cT, sT, -1);
        return [ctx.op("Where", [zeroPairs(pairs), ctx.scalar(0, dtype), rotated]), rotatePairs(ctx, vecs, pairs, cT, sT, -1)];
      },
      unconverged([x]) {
        return ctx.op("Greater", [ctx.op("ReduceMax", [ctx.op("Sub", [squaredNorm(x, offDiagonal), tolerance])], { keepdims: 0 }), ctx.scalar(0, dtype)]);
      },
    });
    // Eigenvalues: the Rayleigh quotients v_j^T A v_j / v_j^T v_j of the input, not the rotated
    // diagonal d, which carries the rounding of every round (float32, n = 64: 1e-4 off, 30x
    // JAX's error); the quotient's error is quadratic in v_j's. Without the padding; ascending,
    // eigenvectors alike.
    const columnSums = (x: Value): Value => ctx.op("ReduceSum", [x, ctx.int64s([-2])], { keepdims: 0 });
    const all = ctx.op("Div", [columnSums(ctx.op("Mul", [v, ctx.op("MatMul", [sym, v])])), columnSums(ctx.op("Mul", [v, v]))]);
    const w = m > n ? ctx.op("Slice", [all, ctx.int64s([0]), ctx.int64s([n]), ctx.int64s([-1])]) : all;
    const vn = m > n ? ctx.op("Slice", [v, ctx.int64s([0, 0]), ctx.int64s([n, n]), ctx.int64s([-2, -1])]) : v;
    const [sorted, order] = ctx.ops("TopK", [w, ctx.int64s([n])], { axis: -1, largest: 0, sorted: 1 });
    const columns = ctx.op("Expand", [ctx.op("Unsqueeze", [order, ctx.int64s([-2])]), ctx.shape([...batch, n, n])], {}, { types: [{ dtype: "int64", shape: [...batch, n, n] }] });
    return [ctx.op("GatherElements", [vn, columns], { axis: -1 }), sorted];
  },
};
