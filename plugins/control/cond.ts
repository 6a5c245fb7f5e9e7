/**
 * lax.cond / lax.switch: the `cond` primitive, `branches` (closed jaxprs, one per index value)
 * applied to the operands; the first input is the int32 branch index. JAX clamps the index of
 * lax.switch before the primitive (a `clamp` eqn), and a bool predicate arrives converted to
 * int32 (false -> branch 0), so branch k runs when index == k, and index <= 0 / >= n-1 pick the
 * ends as JAX's own lowering does.
 *
 * Form: ONNX If, whose branches are subgraphs reading the operands from the enclosing graph.
 * n branches become a chain If(index <= 0, b0, If(index <= 1, b1, ... b_{n-1})): only the
 * taken branch runs. The alternative, every branch computed and a Where chain selecting,
 * measured no faster for cheap branches (bench/control_forms.py) and is unsafe in general (an
 * untaken branch may loop forever or divide an integer by zero), so it is not used.
 */
import { attr, type LoweringRule, type Value } from "../../src/core";

export const condRule: LoweringRule = {
  primitive: "cond",
  onnxOps: ["If", "LessOrEqual"],
  minOpset: 11,
  lower(ctx) {
    const [index, ...operands] = ctx.inputs();
    const branches = ctx.params.jaxprs("branches");
    if (branches.length === 0) ctx.fail("cond has no branches");
    if (branches.length === 1) return ctx.inline(branches[0], operands);
    // A constant index (platform_index, a literal) picks its branch now, clamped as JAX does.
    const known = ctx.constantValues(index);
    if (known && known.length === 1) return ctx.inline(branches[Math.min(Math.max(known[0], 0), branches.length - 1)], operands);
    const types = ctx.eqn.outputs.map((_, i) => ctx.outType(i));
    const branchGraph = (k: number) => ctx.subgraph(`branch_${k}`, [], () => ctx.inline(branches[k], operands));
    // lax.cond on a bool predicate: JAX converted it to an int32 index; If reads the bool itself
    // (the Cast is left for dead-code elimination).
    const cast = index.producer;
    const pred = cast?.op === "Cast" && cast.inputs[0]?.type.dtype === "bool" && index.type.shape.length === 0 ? cast.inputs[0] : null;
    if (branches.length === 2 && pred) {
      return ctx.ops("If", [pred], { then_branch: attr.graph(branchGraph(1)), else_branch: attr.graph(branchGraph(0)) }, { types });
    }
    // chain(k): the outputs when index >= k, emitted into the current (sub)graph.
    const chain = (k: number): Value[] => {
      if (k === branches.length - 1) return ctx.inline(branches[k], operands);
      const pick = ctx.op("LessOrEqual", [index, ctx.scalar(k, index.type.dtype)]);
      const rest = ctx.subgraph(`branch_${k + 1}_or_later`, [], () => chain(k + 1));
      return ctx.ops("If", [pick], { then_branch: attr.graph(branchGraph(k)), else_branch: attr.graph(rest) }, { types });
    };
    return chain(0);
  },
};
