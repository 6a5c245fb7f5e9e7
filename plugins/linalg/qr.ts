/**
 * lax.linalg.qr(a, full_matrices) -> (q, r), jnp.linalg.qr's modes: "reduced" (q [m, K],
 * r [K, n], K = min(m, n)), "complete" (full_matrices: q [m, m], r [m, n]), "r" (q unused).
 * Householder QR in an ONNX Loop over the K columns (plugins/shared/householder.ts) with
 * LAPACK's dgeqrf/dorgqr sign conventions, which JAX uses on CPU: q and r match JAX's directly,
 * not only up to the signs of r's diagonal. Static m x n, leading batch dims allowed.
 */
import type { LoweringRule, Value } from "../../src/core";
import { householderQr } from "../shared/householder";
import { machineEpsilon } from "../shared/jacobi";

export const qrRule: LoweringRule = {
  primitive: "qr",
  onnxOps: ["Loop", "Gather", "MatMul", "Transpose", "ReduceSum", "Sqrt", "Where", "Slice", "Expand"],
  minOpset: 13,
  lower(ctx) {
    const a = ctx.input(0);
    const rank = a.type.shape.length;
    const [m, n] = a.type.shape.slice(rank - 2).map((d) => (typeof d === "number" ? d : ctx.fail("the matrix shape must be static (the reflections are built for it)")));
    if (m === 0 || n === 0) ctx.fail("qr of an empty matrix is not supported");
    if (ctx.params.has("pivoting") && ctx.params.bool("pivoting")) ctx.fail("qr with pivoting=True (column-pivoted QR) is not supported");
    machineEpsilon(ctx, a.type.dtype); // float32 and float64 only, as LAPACK
    const { q, r } = householderQr(ctx, a);
    const k = Math.min(m, n);
    if (ctx.params.bool("full_matrices") || k === m) return [q, r];
    const cut = (v: Value, axis: number): Value => ctx.op("Slice", [v, ctx.int64s([0]), ctx.int64s([k]), ctx.int64s([axis])]);
    return [cut(q, -1), cut(r, -2)];
  },
};
