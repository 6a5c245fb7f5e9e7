/**
 * Elementwise iterations (series, continued fractions) as one ONNX Loop whose body is the step:
 * the node count is the step's, whatever the number of iterations.
 *
 * Every state tensor has the result's shape; a lane stops (its state is kept, ONNX Where) once
 * its step reports it converged, and the loop ends when no lane is left or after
 * `maxIterations` steps (ONNX Loop: trip count M and the condition, both checked before each
 * iteration). That is how JAX's own implementations iterate (lax.while_loop over all lanes with
 * a per-lane `enabled` mask), so lanes converge on the same step count as there.
 */
import { attr, onnxTypeCode, type Dim, type DType, type LoweringContext, type Value } from "../../src/core";

export interface ElementwiseIteration {
  /** The state before the first step; all of `shape`. */
  readonly init: readonly Value[];
  /** Lanes that iterate at all (bool, of `shape`); the others keep `init`. */
  readonly active: Value;
  readonly maxIterations: number;
  /** Dtype of the step number `k` handed to `step`. */
  readonly counterDtype: DType;
  /** Step k (1, 2, ...): the next state and the lanes that have not converged yet. */
  step(state: readonly Value[], k: Value): { readonly next: readonly Value[]; readonly unconverged: Value };
}

/** `value` (a scalar) broadcast to `shape` (static or symbolic dims). */
export function filled(ctx: LoweringContext, value: number, dtype: DType, shape: readonly Dim[]): Value {
  return ctx.op("Expand", [ctx.scalar(value, dtype), ctx.shape(shape)], {}, { types: [{ dtype, shape }] });
}

/** Whether any lane of a bool tensor is true, as a bool scalar (false for size 0). */
export function anyLane(ctx: LoweringContext, p: Value): Value {
  const count = ctx.op("ReduceSum", [ctx.op("Cast", [p], { to: onnxTypeCode("float32") })], { keepdims: 0 });
  return ctx.op("Greater", [count, ctx.scalar(0, "float32")]);
}

/** Runs the iteration; returns the final state. */
export function iterateElementwise(ctx: LoweringContext, it: ElementwiseIteration): Value[] {
  const stateTypes = it.init.map((v) => v.type);
  const activeType = it.active.type;
  const body = ctx.subgraph("iteration_step", [{ dtype: "int64", shape: [] }, { dtype: "bool", shape: [] }, activeType, ...stateTypes], ([i, , active, ...state]) => {
    const k = ctx.op("Cast", [ctx.op("Add", [i, ctx.scalar(1, "int64")])], { to: onnxTypeCode(it.counterDtype) });
    const { next, unconverged } = it.step(state, k);
    const kept = next.map((v, j) => ctx.op("Where", [active, v, state[j]]));
    const still = ctx.op("And", [active, unconverged]);
    return [anyLane(ctx, still), still, ...kept];
  });
  const outs = ctx.ops("Loop", [ctx.scalar(it.maxIterations, "int64"), anyLane(ctx, it.active), it.active, ...it.init], { body: attr.graph(body) }, { types: [activeType, ...stateTypes] });
  return outs.slice(1);
}
