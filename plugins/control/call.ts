/**
 * Call-like primitives whose body is a closed jaxpr: the body is lowered in place (inlined), or,
 * for a jit that is an `@onnx_function` call (the eqn's `fn`), as an ONNX function call.
 * jit (pjit before JAX 0.7), closed_call, remat (remat2 = jax.checkpoint); custom_jvp_call and custom_vjp_call keep only
 * the primal computation, which is what inference needs.
 */
import type { LoweringRule } from "../../src/core";

const inlineCall = (primitive: string, param: string): LoweringRule => ({
  primitive,
  onnxOps: [],
  lower: (ctx) => (ctx.eqn.fn ? ctx.callFunction(ctx.eqn.fn, ctx.params.jaxpr(param), ctx.inputs()) : ctx.inline(ctx.params.jaxpr(param), ctx.inputs())),
});

export const CALL_RULES: LoweringRule[] = [
  inlineCall("jit", "jaxpr"),
  inlineCall("pjit", "jaxpr"),
  inlineCall("closed_call", "call_jaxpr"),
  inlineCall("core_call", "call_jaxpr"),
  inlineCall("remat", "jaxpr"),
  inlineCall("checkpoint", "jaxpr"),
  // jax.checkpoint / jax.remat since JAX 0.4: an open jaxpr (no consts) in `jaxpr`.
  inlineCall("remat2", "jaxpr"),
  inlineCall("custom_jvp_call", "call_jaxpr"),
  inlineCall("custom_vjp_call", "call_jaxpr"),
  inlineCall("custom_vjp_call_jaxpr", "fun_jaxpr"),
];
