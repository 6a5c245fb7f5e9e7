/**
 * lax.linalg.tridiagonal_solve(dl, d, du, b) -> x with A x = b, A tridiagonal: A[i, i-1] = dl[i],
 * A[i, i] = d[i], A[i, i+1] = du[i] (dl[0] and du[n-1] are not read); dl, d, du [..., n],
 * b [..., n, k]. JAX on CPU calls LAPACK gtsv, Gaussian elimination with partial pivoting, and
 * returns NaN for a system whose elimination meets a zero pivot (info != 0). The same here, in two
 * ONNX Scans over the rows, so the node count does not depend on n:
 *  1. elimination (gtsv's loop): the carry is the pending row (diagonal, superdiagonal, rhs) at
 *     i - 1; row i comes in. If |pending diagonal| >= |dl[i]| row i is reduced by
 *     fact = dl[i] / diagonal and the pending row is final; else the rows swap (fact = diagonal /
 *     dl[i]) and the final row i - 1 is row i with a fill-in second superdiagonal. Each step
 *     emits the final row i - 1; the last pending row is row n - 1's.
 *  2. back substitution, reversed: x_i = (rhs_i - u1_i x_{i+1} - u2_i x_{i+2}) / diagonal_i.
 * Any zero diagonal of U makes that system's x NaN, as JAX's info check does.
 */
import { attr, type Dim, type LoweringContext, type LoweringRule, type TensorType, type Value } from "../../src/core";

/** `t` without axis -2 (a Scan step's slice). */
const stepType = (t: TensorType): TensorType => ({ dtype: t.dtype, shape: [...t.shape.slice(0, -2), t.shape[t.shape.length - 1]] });
/** `t` with `length` rows on axis -2 (stacked Scan outputs). */
const stackedType = (t: TensorType, length: number): TensorType => ({ dtype: t.dtype, shape: [...t.shape.slice(0, -1), length, t.shape[t.shape.length - 1]] });

function zeros(ctx: LoweringContext, dtype: TensorType["dtype"], shape: readonly Dim[]): Value {
  return ctx.op("Expand", [ctx.scalar(0, dtype), ctx.shape(shape)], {}, { types: [{ dtype, shape }] });
}

export const tridiagonalSolveRule: LoweringRule = {
  primitive: "tridiagonal_solve",
  onnxOps: ["Scan", "Slice", "Unsqueeze", "Abs", "Less", "Where", "Div", "Mul", "Sub", "Neg", "Concat", "Equal", "ReduceMax", "Expand"],
  minOpset: 11,
  lower(ctx) {
    if (ctx.params.has("perturb_singular") && ctx.params.bool("perturb_singular")) ctx.fail("perturb_singular=True (JAX's own perturbed kernel) is not supported");
    const [dlIn, dIn, duIn, b] = ctx.inputs();
    const rank = b.type.shape.length;
    const batch = b.type.shape.slice(0, rank - 2);
    const nDim = b.type.shape[rank - 2];
    const n = typeof nDim === "number" ? nDim : ctx.fail("the system size must be static");
    if (n === 0) return b;
    const k = b.type.shape[rank - 1];
    const dtype = b.type.dtype;
    const column = (v: Value): Value => ctx.op("Unsqueeze", [v, ctx.int64s([-1])]); // [..., n, 1]
    const rows = (v: Value, start: number, end: number): Value => ctx.op("Slice", [v, ctx.int64s([start]), ctx.int64s([end]), ctx.int64s([-2])]);
    const zero = ctx.scalar(0, dtype);
    const [dl, d] = [column(dlIn), column(dIn)];
    // du[n-1] lies outside the matrix: 0, so the last row has no superdiagonal.
    const inside = ctx.constant(Array.from({ length: n }, (_, i) => i < n - 1), "bool", [n, 1]);
    const du = ctx.op("Where", [inside, column(duIn), zero]);
    let diag: Value, sup1: Value, sup2: Value, rhs: Value;
    if (n === 1) {
      [diag, sup1, sup2, rhs] = [d, du, du, b];
    } else {
      // 1. Elimination over rows 1..n-1; the carry starts as row 0.
      const pending: Value[] = [rows(d, 0, 1), rows(du, 0, 1), rows(b, 0, 1)].map((v) => ctx.op("Squeeze", [v, ctx.int64s([-2])]));
      const incoming = [dl, d, du, b].map((v) => rows(v, 1, n));
      const carryTypes = pending.map((v) => v.type);
      const body = ctx.subgraph("gtsv_eliminate", [...carryTypes, ...incoming.map((v) => stepType(v.type))], ([dc, uc, bc, l, dd, u, bb]) => {
        const swap = ctx.op("Less", [ctx.op("Abs", [dc]), ctx.op("Abs", [l])]);
        const pick = (ifSwap: Value, ifNot: Value): Value => ctx.op("Where", [swap, ifSwap, ifNot]);
        const fact = pick(ctx.op("Div", [dc, l]), ctx.op("Div", [l, dc]));
        const minus = (x: Value, y: Value): Value => ctx.op("Sub", [x, ctx.op("Mul", [fact, y])]);
        const next = [pick(minus(uc, dd), minus(dd, uc)), pick(ctx.op("Neg", [ctx.op("Mul", [fact, u])]), u), pick(minus(bc, bb), minus(bb, bc))];
        const final = [pick(l, dc), pick(dd, uc), pick(u, zero), pick(bb, bc)];
        return [...next, ...final];
      });
      const outTypes = [...carryTypes, ...[d, d, d, b].map((v) => stackedType(stepType(v.type), n - 1))];
      const outs = ctx.ops("Scan", [...pending, ...incoming], { body: attr.graph(body), num_scan_inputs: 4, scan_input_axes: [-2, -2, -2, -2], scan_output_axes: [-2, -2, -2, -2] }, { types: outTypes });
      const [lastD, lastU, lastB, finalD, finalU1, finalU2, finalB] = outs;
      const appendRow = (stacked: Value, last: Value): Value => ctx.op("Concat", [stacked, ctx.op("Unsqueeze", [last, ctx.int64s([-2])])], { axis: -2 });
      diag = appendRow(finalD, lastD);
      sup1 = appendRow(finalU1, lastU);
      sup2 = appendRow(finalU2, zeros(ctx, dtype, lastU.type.shape));
      rhs = appendRow(finalB, lastB);
    }
    // 2. Back substitution from row n-1 up; the carries are x_{i+1} and x_{i+2}, 0 past the end.
    const x0 = zeros(ctx, dtype, [...batch, k]);
    const xType = x0.type;
    const back = ctx.subgraph("gtsv_substitute", [xType, xType, ...[diag, sup1, sup2, rhs].map((v) => stepType(v.type))], ([x1, x2, dg, u1, u2, r]) => {
      const x = ctx.op("Div", [ctx.op("Sub", [ctx.op("Sub", [r, ctx.op("Mul", [u1, x1])]), ctx.op("Mul", [u2, x2])]), dg]);
      return [x, x1, x];
    });
    const [, , x] = ctx.ops(
      "Scan",
      [x0, x0, diag, sup1, sup2, rhs],
      { body: attr.graph(back), num_scan_inputs: 4, scan_input_axes: [-2, -2, -2, -2], scan_input_directions: [1, 1, 1, 1], scan_output_axes: [-2], scan_output_directions: [1] },
      { types: [xType, xType, b.type] },
    );
    // gtsv's info != 0 (a zero pivot): JAX returns NaN for the whole system.
    const singular = ctx.op("Equal", [ctx.op("ReduceMin", [ctx.op("Abs", [diag]), ctx.int64s([-2, -1])], { keepdims: 1 }), zero]);
    return ctx.op("Where", [singular, ctx.scalar(NaN, dtype), x]);
  },
};
