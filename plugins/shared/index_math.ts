/**
 * Index arithmetic shared by the slicing rules (dynamic_slice, dynamic_update_slice, gather,
 * scatter): indices as int64 (GatherND/ScatterND take nothing else; Slice wants one type for all
 * its bounds), sizes of possibly symbolic dims as scalars, JAX's clamping, and the coordinate
 * grids that GatherND/ScatterND read windows through.
 */
import { onnxTypeCode, type Dim, type LoweringContext, type Value } from "../../src/core";

export function toInt64(ctx: LoweringContext, v: Value): Value {
  return v.type.dtype === "int64" ? v : ctx.op("Cast", [v], { to: onnxTypeCode("int64") });
}

/** A dim (static or symbolic) as an int64 scalar (rank 0). */
export function dimScalar(ctx: LoweringContext, d: Dim): Value {
  if (typeof d === "number") return ctx.scalar(d, "int64");
  return ctx.op("Squeeze", [ctx.builder.dimTensor(d), ctx.int64s([0])]);
}

/** `size - window` as an int64 scalar: the largest start that keeps a window in bounds. */
export function lastStart(ctx: LoweringContext, size: Dim, window: Dim): Value {
  if (typeof size === "number" && typeof window === "number") return ctx.scalar(size - window, "int64");
  if (size === window) return ctx.scalar(0, "int64");
  return ctx.op("Sub", [dimScalar(ctx, size), dimScalar(ctx, window)]);
}

/** min(max(v, 0), hi) on int64: the clamp JAX applies to starts (lax.dynamic_slice, CLIP mode). */
export function clampStart(ctx: LoweringContext, v: Value, hi: Value): Value {
  return ctx.op("Min", [ctx.op("Max", [v, ctx.scalar(0, "int64")]), hi]);
}

/** 0 <= v <= hi, elementwise (in bounds for FILL_OR_DROP). */
export function startInBounds(ctx: LoweringContext, v: Value, hi: Value): Value {
  return ctx.op("And", [ctx.op("GreaterOrEqual", [v, ctx.scalar(0, "int64")]), ctx.op("LessOrEqual", [v, hi])]);
}

/** One axis of a coordinate grid: where the window starts, and its size (none: a single point). */
export interface GridAxis {
  /** int64, rank = the batch rank, broadcastable to the batch shape. */
  readonly start: Value;
  readonly window?: Dim;
}

/**
 * Coordinates for GatherND/ScatterND: an int64 tensor [...batch, ...windows, axes.length] whose
 * entry at (g, w) is, per axis, start[g] + w_axis (window axes, in the order given) or start[g].
 * With it one GatherND reads, and one ScatterND writes, a window per batch element.
 */
export function coordinateGrid(ctx: LoweringContext, batch: readonly Dim[], axes: readonly GridAxis[]): Value {
  const windows = axes.flatMap((a) => (a.window === undefined ? [] : [a.window]));
  const full = [...batch, ...windows];
  const fullShape = ctx.shape(full);
  const trailing = (v: Value): Value => (windows.length ? ctx.op("Unsqueeze", [v, ctx.int64s(windows.map((_, i) => batch.length + i))]) : v);
  let w = 0;
  const columns = axes.map((a) => {
    let c = trailing(a.start);
    if (a.window !== undefined) {
      const offsets = ctx.op("Range", [ctx.scalar(0, "int64"), dimScalar(ctx, a.window), ctx.scalar(1, "int64")], {}, { types: [{ dtype: "int64", shape: [a.window] }] });
      const at = full.map((_, i) => (i === batch.length + w ? -1 : 1));
      c = ctx.op("Add", [c, ctx.op("Reshape", [offsets, ctx.int64s(at)], {}, { types: [{ dtype: "int64", shape: at.map((k) => (k === -1 ? a.window! : 1)) }] })]);
      w++;
    }
    return ctx.op("Unsqueeze", [ctx.op("Expand", [c, fullShape], {}, { types: [{ dtype: "int64", shape: full }] }), ctx.int64s([-1])]);
  });
  return columns.length === 1 ? columns[0] : ctx.op("Concat", columns, { axis: -1 });
}

/** The `i`-th component along the last axis of an index tensor [..., k], as int64 [...]. */
export function indexComponent(ctx: LoweringContext, indices: Value, i: number): Value {
  return toInt64(ctx, ctx.op("Gather", [indices, ctx.scalar(i, "int64")], { axis: -1 }));
}

/** An iota along axis `axis` of a rank-`rank` grid of that size: int64 [1, ..., size, ..., 1]. */
export function axisIota(ctx: LoweringContext, size: Dim, axis: number, rank: number): Value {
  const shape = Array.from({ length: rank }, (_, i) => (i === axis ? -1 : 1));
  const r = ctx.op("Range", [ctx.scalar(0, "int64"), dimScalar(ctx, size), ctx.scalar(1, "int64")], {}, { types: [{ dtype: "int64", shape: [size] }] });
  return ctx.op("Reshape", [r, ctx.int64s(shape)], {}, { types: [{ dtype: "int64", shape: shape.map((k) => (k === -1 ? size : 1)) }] });
}
