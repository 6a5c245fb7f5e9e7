/**
 * lax.linalg.cholesky(a): the lower-triangular L with L L^T = a, reading a's lower triangle
 * (jnp.linalg.cholesky symmetrizes first). Unrolled over the static size n, column by column
 * (Cholesky-Banachiewicz): s = a[:, j] - L[:, :j] @ L[j, :j]^T, L[j, j] = sqrt(s[j]),
 * L[i, j] = s[i] / L[j, j] below the diagonal, 0 above. A matrix that is not positive definite
 * gives NaN from the square root, as XLA's does.
 */
import type { LoweringRule, Value } from "../../src/core";
import { block } from "./triangular_solve";

export const choleskyRule: LoweringRule = {
  primitive: "cholesky",
  onnxOps: ["Slice", "MatMul", "Sub", "Sqrt", "Div", "Mul", "Concat", "Transpose"],
  lower(ctx) {
    const a = ctx.input(0);
    const r = a.type.shape.length;
    const dim = a.type.shape[r - 1];
    const n = typeof dim === "number" ? dim : ctx.fail("the matrix size must be static (the factorization is unrolled over it)");
    const dtype = a.type.dtype;
    const cols: Value[] = [];
    for (let j = 0; j < n; j++) {
      let s = block(ctx, a, 0, n, j, j + 1); // [..., n, 1]
      if (j > 0) {
        const done = ctx.op("Concat", cols, { axis: -1 }); // L[:, :j]
        s = ctx.op("Sub", [s, ctx.op("MatMul", [done, ctx.op("Transpose", [block(ctx, done, j, j + 1, 0, j)], { perm: [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2] })])]);
      }
      const d = ctx.op("Sqrt", [block(ctx, s, j, j + 1, 0, 1)]);
      // Rows above the diagonal are 0 (the mask), the diagonal is d = s[j] / d.
      const mask = ctx.constant(Array.from({ length: n }, (_, i) => (i >= j ? 1 : 0)), dtype, [n, 1]);
      cols.push(ctx.op("Mul", [ctx.op("Div", [s, d]), mask]));
    }
    return n === 1 ? cols[0] : ctx.op("Concat", cols, { axis: -1 });
  },
};
