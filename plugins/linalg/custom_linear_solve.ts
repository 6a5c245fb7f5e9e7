/**
 * lax.custom_linear_solve: a call whose result is its `solve` jaxpr applied to b (the other
 * jaxprs, matvec and the transposes, only serve differentiation). The eqn's operands are the
 * consts of matvec, vecmat, solve and transpose_solve in that order (counts in `const_lengths`),
 * then b.
 */
import type { LoweringRule } from "../../src/core";

const ORDER = ["matvec", "vecmat", "solve", "transpose_solve"] as const;

export const customLinearSolveRule: LoweringRule = {
  primitive: "custom_linear_solve",
  onnxOps: [],
  lower(ctx) {
    const lengths = ctx.params.structFields("const_lengths");
    const counts = ORDER.map((k) => lengths.int(k));
    const start = counts[0] + counts[1];
    const ins = ctx.inputs();
    const solveConsts = ins.slice(start, start + counts[2]);
    const b = ins.slice(counts.reduce((x, y) => x + y, 0));
    return ctx.inline(ctx.params.structFields("jaxprs").jaxpr("solve"), [...solveConsts, ...b]);
  },
};
