/**
 * platform_index(platforms): the index of the branch of a platform-dependent `cond`
 * (lax.platform_dependent, and JAX internals such as jnp.linalg.det's) for the platform being
 * lowered to. `platforms` holds one entry per branch: a tuple of platform names, or None for the
 * default. An ONNX model is the program as JAX runs it on CPU (the cases compare with JAX on
 * CPU), so: the first entry naming "cpu", else the default. The result is a constant, and the
 * cond rule inlines the branch a constant index picks.
 */
import type { LoweringRule } from "../../src/core";

export const platformIndexRule: LoweringRule = {
  primitive: "platform_index",
  onnxOps: [],
  lower(ctx) {
    const platforms = ctx.params.tuple("platforms");
    const named = platforms.findIndex((p) => Array.isArray(p) && p.includes("cpu"));
    const index = named >= 0 ? named : platforms.indexOf(null);
    if (index < 0) ctx.fail(`no branch for the CPU and no default among platforms ${JSON.stringify(platforms)}: the converted model follows JAX on CPU`);
    return ctx.scalar(index, ctx.outAval().dtype);
  },
};
