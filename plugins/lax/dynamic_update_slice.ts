/**
 * lax.dynamic_update_slice(x, update, *starts) -> ONNX ScatterND. JAX clamps every start to
 * [0, dim - update_dim] (lax.dynamic_update_slice docs), so the whole update always lands.
 * Axes the update spans whole need no coordinates; the others are moved to the front of both
 * tensors, and one ScatterND writes the update through a grid of start + offset coordinates.
 */
import { inversePerm, isIdentityPerm, type LoweringRule, type Value } from "../../src/core";
import { clampStart, coordinateGrid, lastStart, toInt64 } from "../shared/index_math";

export const dynamicUpdateSliceRule: LoweringRule = {
  primitive: "dynamic_update_slice",
  onnxOps: ["ScatterND", "Transpose", "Range", "Expand", "Concat", "Max", "Min"],
  lower(ctx) {
    const x = ctx.input(0);
    const update = ctx.input(1);
    const shape = x.type.shape;
    const ushape = update.type.shape;
    const coords = shape.map((_, i) => i).filter((i) => ushape[i] !== shape[i]);
    if (coords.length === 0) return update;
    const rest = shape.map((_, i) => i).filter((i) => ushape[i] === shape[i]);
    const perm = [...coords, ...rest];
    const move = (v: Value, p: readonly number[]): Value => (isIdentityPerm(p) ? v : ctx.op("Transpose", [v], { perm: p }));
    const grid = coordinateGrid(
      ctx,
      [],
      coords.map((i) => ({ start: clampStart(ctx, toInt64(ctx, ctx.input(2 + i)), lastStart(ctx, shape[i], ushape[i])), window: ushape[i] })),
    );
    const written = ctx.op("ScatterND", [move(x, perm), grid, move(update, perm)]);
    return move(written, inversePerm(perm));
  },
};
