/**
 * Householder QR of a static m x n matrix (leading batch dims allowed) with LAPACK's conventions
 * (dgeqrf + dorgqr, which JAX calls on CPU), so Q and R come out as JAX's, signs included.
 * Step k (k < min(m, n)) takes x = R[k:, k], alpha = x_0 and the tail norm ||x_1:|| (dlarfg):
 *  - tail norm 0 (nothing to eliminate, always so in the last column of a square matrix): H = I,
 *    R[k, k] stays alpha, whatever its sign;
 *  - else beta = -sign(alpha) ||x|| (sign(0) = +1), tau = (beta - alpha) / beta,
 *    v = [1, x_1: / (alpha - beta)], H = I - tau v v^T; R <- H R, Q <- Q H, R[k, k] = beta and
 *    R[k+1:, k] = 0 exactly.
 * The steps run in an ONNX Loop whose iteration number is k: the node count does not depend on
 * the size. Q is the full m x m product H_0 ... H_{K-1}.
 */
import { Real, attr, onnxTypeCode, type Dim, type LoweringContext, type Value } from "../../src/core";
import { batchedIdentity } from "./jacobi";

export function householderQr(ctx: LoweringContext, a: Value): { q: Value; r: Value } {
  const r = a.type.shape.length;
  const batch: readonly Dim[] = a.type.shape.slice(0, r - 2);
  const [m, n] = a.type.shape.slice(r - 2) as [number, number];
  const dtype = a.type.dtype;
  const re = new Real(ctx, dtype);
  const rowIds = ctx.constant(Array.from({ length: m }, (_, i) => i), "int64", [m, 1]);
  const colIds = ctx.constant(Array.from({ length: n }, (_, j) => j), "int64", [1, n]);
  const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
  const q0 = batchedIdentity(ctx, m, dtype, batch);
  const types = [a.type, q0.type];
  const step = ctx.subgraph("householder_step", [{ dtype: "int64", shape: [] }, { dtype: "bool", shape: [] }, ...types], ([k, , rk, qk]) => {
    const k1 = ctx.op("Unsqueeze", [k, ctx.int64s([0])]);
    const asFloat = (b: Value): Value => ctx.op("Cast", [b], { to: onnxTypeCode(dtype) });
    const isRowK = ctx.op("Equal", [rowIds, k]);
    const belowK = ctx.op("Greater", [rowIds, k]);
    const x = ctx.op("Gather", [rk, k1], { axis: -1 }); // [..., m, 1]
    const alpha = ctx.op("Gather", [x, k1], { axis: -2 }); // [..., 1, 1]
    const tail = re.mul(x, asFloat(belowK));
    const tailNorm = re.un("Sqrt", ctx.op("ReduceSum", [re.mul(tail, tail), ctx.int64s([-2])], { keepdims: 1 }));
    const norm = re.un("Sqrt", re.add(re.mul(alpha, alpha), re.mul(tailNorm, tailNorm)));
    const skip = re.eq(tailNorm, re.c(0));
    const beta = re.where(skip, alpha, re.where(ctx.op("GreaterOrEqual", [alpha, re.c(0)]), ctx.op("Neg", [norm]), norm));
    const safeBeta = re.where(skip, re.c(1), beta);
    const tau = re.where(skip, re.c(0), re.div(re.sub(beta, alpha), safeBeta));
    const v = re.add(re.div(tail, re.where(skip, re.c(1), re.sub(alpha, beta))), asFloat(isRowK)); // [..., m, 1]
    const vT = ctx.op("Transpose", [v], { perm });
    const applied = re.sub(rk, re.mul(re.mul(tau, v), ctx.op("MatMul", [vT, rk])));
    // Column k exactly as dgeqrf leaves it: beta on the diagonal, zeros below.
    const isColK = ctx.op("Equal", [colIds, k]);
    const nextR = re.where(ctx.op("And", [isColK, belowK]), re.c(0), re.where(ctx.op("And", [isColK, isRowK]), beta, applied));
    const nextQ = re.sub(qk, re.mul(tau, ctx.op("MatMul", [ctx.op("MatMul", [qk, v]), vT])));
    return [ctx.scalar(true, "bool"), nextR, nextQ];
  });
  const [rOut, qOut] = ctx.ops("Loop", [ctx.scalar(Math.min(m, n), "int64"), ctx.scalar(true, "bool"), a, q0], { body: attr.graph(step) }, { types });
  return { q: qOut, r: rOut };
}
