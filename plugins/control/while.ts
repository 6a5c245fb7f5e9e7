/**
 * lax.while_loop (and lax.fori_loop with traced bounds): the `while` primitive. Inputs are
 * `cond_nconsts` consts of `cond_jaxpr`, `body_nconsts` consts of `body_jaxpr`, then the carries;
 * outputs are the final carries.
 *
 * Form: ONNX Loop with no trip count and a computed condition (Loop spec: the loop runs while
 * `cond` is true; the body gets (iteration, cond, carries...) and returns (cond, carries...)).
 * The condition is evaluated once before the loop on the initial carries and then at the end of
 * every body on the new carries, which is the order JAX's while runs them in. Consts are read
 * from the enclosing graph, not carried.
 */
import { attr, type LoweringRule } from "../../src/core";

export const whileRule: LoweringRule = {
  primitive: "while",
  onnxOps: ["Loop"],
  minOpset: 11,
  lower(ctx) {
    const cond = ctx.params.jaxpr("cond_jaxpr");
    const body = ctx.params.jaxpr("body_jaxpr");
    const nCond = ctx.params.int("cond_nconsts");
    const nBody = ctx.params.int("body_nconsts");
    const inputs = ctx.inputs();
    const condConsts = inputs.slice(0, nCond);
    const bodyConsts = inputs.slice(nCond, nCond + nBody);
    const init = inputs.slice(nCond + nBody);
    const carryTypes = ctx.eqn.outputs.map((_, i) => ctx.outType(i));
    const [first] = ctx.inline(cond, [...condConsts, ...init]);
    const loopBody = ctx.subgraph("while_body", [{ dtype: "int64", shape: [] }, { dtype: "bool", shape: [] }, ...carryTypes], ([, , ...carries]) => {
      const next = ctx.inline(body, [...bodyConsts, ...carries]);
      const [again] = ctx.inline(cond, [...condConsts, ...next]);
      return [again, ...next];
    });
    return ctx.ops("Loop", [null, first, ...init], { body: attr.graph(loopBody) }, { types: carryTypes });
  },
};
