/**
 * Equinox's internal primitives, as their impls define them (equinox/_unvmap.py,
 * equinox/internal/_nontraceable.py, equinox/internal/_loop/common.py). Each has a batching
 * rule that rewrites it under jax.vmap, so one still in a jaxpr was not batched and means its
 * unbatched impl:
 *  - unvmap_any / unvmap_all / unvmap_max(x): jnp.any / jnp.all / jnp.max over every axis,
 *    a scalar (bool for any/all, x's dtype for max).
 *  - nonbatchable(x): x (it only refuses to be vmapped).
 *  - select_if_vmap(pred, x, y): x; Equinox documents an unbatched pred as always true.
 * Bool reductions run over uint8 (ONNX reductions take bool only from opset 20).
 */
import { onnxTypeCode, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { reduce } from "../lax/reductions";

function reduceAll(ctx: LoweringContext, op: string, x: Value): Value {
  const axes = x.type.shape.map((_, i) => i);
  if (x.type.dtype !== "bool") return reduce(ctx, op, x, axes);
  const asInt = ctx.op("Cast", [x], { to: onnxTypeCode("uint8") });
  return ctx.op("Cast", [reduce(ctx, op, asInt, axes)], { to: onnxTypeCode("bool") });
}

const unvmap = (primitive: string, op: string): LoweringRule => ({
  primitive,
  onnxOps: [op, "Cast"],
  lower: (ctx) => reduceAll(ctx, op, ctx.input(0)),
});

export const EQUINOX_INTERNAL_RULES: LoweringRule[] = [
  unvmap("unvmap_any", "ReduceMax"),
  unvmap("unvmap_all", "ReduceMin"),
  unvmap("unvmap_max", "ReduceMax"),
  { primitive: "nonbatchable", onnxOps: [], lower: (ctx) => ctx.input(0) },
  { primitive: "select_if_vmap", onnxOps: [], lower: (ctx) => ctx.input(1) },
];
