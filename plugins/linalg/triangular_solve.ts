/**
 * lax.linalg.triangular_solve(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
 * x with op(a) x = b (left_side) or x op(a) = b, op(a) = a, a^T or a^H, reading only the
 * triangle `lower` names (and not the diagonal when unit_diagonal). Substitution unrolled over
 * the static size n: row i of x is (b_i - M[i, done] @ x_done) / M[i, i], forward for a lower
 * M = op(a), backward for an upper one; a right-side solve is the left solve of the transposes
 * (x M = b <=> M^T x^T = b^T). Real dtypes only: conjugate_a changes nothing there.
 */
import type { LoweringContext, LoweringRule, Value } from "../../src/core";

/** `v` with its last two axes swapped. */
export function swapLast(ctx: LoweringContext, v: Value): Value {
  const r = v.type.shape.length;
  return ctx.op("Transpose", [v], { perm: [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2] });
}

/** v[..., r0:r1, c0:c1]. */
export function block(ctx: LoweringContext, v: Value, r0: number, r1: number, c0: number, c1: number): Value {
  const r = v.type.shape.length;
  return ctx.op("Slice", [v, ctx.int64s([r0, c0]), ctx.int64s([r1, c1]), ctx.int64s([r - 2, r - 1])]);
}

export interface SolveOptions {
  /** M = a^T instead of a. */
  readonly transpose: boolean;
  /** M is lower triangular (else upper). */
  readonly lowerM: boolean;
  readonly unitDiagonal: boolean;
}

/** x with M x = b for b [..., n, m], M from `a` [..., n, n] as `opts` say. */
export function solveLeft(ctx: LoweringContext, a: Value, b: Value, n: number, opts: SolveOptions): Value {
  // M[rows, cols] as a block of a (of a's transpose when opts.transpose).
  const m = (r0: number, r1: number, c0: number, c1: number): Value => (opts.transpose ? swapLast(ctx, block(ctx, a, c0, c1, r0, r1)) : block(ctx, a, r0, r1, c0, c1));
  const rows: Value[] = new Array(n);
  const order = opts.lowerM ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: n }, (_, i) => n - 1 - i);
  order.forEach((i, step) => {
    let rhs = block(ctx, b, i, i + 1, 0, Number.MAX_SAFE_INTEGER);
    if (step > 0) {
      // The rows already solved: those before i (forward) or after it (backward), in order.
      const [lo, hi] = opts.lowerM ? [0, i] : [i + 1, n];
      const done = ctx.op("Concat", rows.slice(lo, hi), { axis: -2 });
      rhs = ctx.op("Sub", [rhs, ctx.op("MatMul", [m(i, i + 1, lo, hi), done])]);
    }
    rows[i] = opts.unitDiagonal ? rhs : ctx.op("Div", [rhs, m(i, i + 1, i, i + 1)]);
  });
  return n === 1 ? rows[0] : ctx.op("Concat", rows, { axis: -2 });
}

export const triangularSolveRule: LoweringRule = {
  primitive: "triangular_solve",
  onnxOps: ["Slice", "MatMul", "Sub", "Div", "Concat", "Transpose"],
  lower(ctx) {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    const dim = a.type.shape[a.type.shape.length - 1];
    const n = typeof dim === "number" ? dim : ctx.fail("the matrix size must be static (the substitution is unrolled over it)");
    const transpose = ctx.params.bool("transpose_a");
    const left = ctx.params.bool("left_side");
    // x op(a) = b is op(a)^T x^T = b^T: the transpose flips, and so does which triangle M has.
    const opts = { transpose: left ? transpose : !transpose, lowerM: ctx.params.bool("lower") !== (left ? transpose : !transpose), unitDiagonal: ctx.params.bool("unit_diagonal") };
    if (left) return solveLeft(ctx, a, b, n, opts);
    return swapLast(ctx, solveLeft(ctx, a, swapLast(ctx, b), n, opts));
  },
};
