/**
 * lax.scatter, scatter-add, scatter-sub, scatter-mul, scatter-min, scatter-max -> ONNX ScatterND
 * (or ScatterElements) with the matching `reduction` (none / add / mul / min / max; sub adds
 * the negated updates).
 *
 * XLA's semantics (ScatterDimensionNumbers; indices with the index vector last): update dims
 * not in update_window_dims are the scatter dims, one per batch dim of the indices, in order.
 * For each batch position g, the update window lands at S(g), which puts indices[g, j] at
 * operand dim scatter_dims_to_operand_dims[j], the batch index itself at each
 * operand_batching_dims[i] (paired with scatter_indices_batching_dims[i]), and 0 elsewhere; the
 * window spans every operand dim but inserted_window_dims and operand_batching_dims (size 1), in
 * operand order, sized by the update dims update_window_dims.
 *
 * Modes: CLIP clamps each start to [0, dim - window]. FILL_OR_DROP discards a window with a
 * start outside that range, and so does PROMISE_IN_BOUNDS in XLA ("out-of-bounds scatters will
 * be discarded", GatherScatterMode docs). ONNX refuses out-of-range indices, so a discarded
 * window is sent to a scratch block padded onto one indexed axis and cut off afterwards.
 *
 * Duplicate indices: add / mul / min / max combine every update (in some order: float sums may
 * differ in the last bits). For plain `scatter` (x.at[].set) JAX leaves the winner undefined;
 * XLA's CPU scatter and onnxruntime's ScatterND both apply updates in index order, so the last
 * one wins in both.
 *
 * Lowering:
 *  1. No window dims, one inserted indexed dim, every other dim a batching dim in place
 *     (vmap of x.at[i].set, put-along-axis forms): ScatterElements on that axis.
 *  2. Otherwise ScatterND on the operand transposed to [coordinate dims..., whole dims...]
 *     with a coordinate grid [batch..., window..., coordinates] and the updates transposed to
 *     [batch..., window..., whole...]. Coordinate dims are the batching dims, the indexed dims,
 *     and the other dims the window does not cover whole (these start at 0).
 */
import { inversePerm, isIdentityPerm, isUnsignedInt, liftScalarJaxpr, type Dim, type Jaxpr, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { filled, iterateElementwise } from "../shared/converge_loop";
import { ELEMENTWISE_PRIMITIVES } from "./elementwise";
import { axisIota, clampStart, coordinateGrid, dimScalar, indexComponent, lastStart, startInBounds, type GridAxis } from "../shared/index_math";

type Reduction = "none" | "add" | "mul" | "min" | "max";

interface ScatterDims {
  readonly updateWindowDims: readonly number[];
  readonly insertedWindowDims: readonly number[];
  readonly scatterDimsToOperand: readonly number[];
  readonly operandBatching: readonly number[];
  readonly indicesBatching: readonly number[];
}

function readDims(ctx: LoweringContext): ScatterDims {
  const dn = ctx.params.structFields("dimension_numbers", "ScatterDimensionNumbers");
  return {
    updateWindowDims: dn.ints("update_window_dims"),
    insertedWindowDims: dn.ints("inserted_window_dims"),
    scatterDimsToOperand: dn.ints("scatter_dims_to_operand_dims"),
    operandBatching: dn.has("operand_batching_dims") ? dn.ints("operand_batching_dims") : [],
    indicesBatching: dn.has("scatter_indices_batching_dims") ? dn.ints("scatter_indices_batching_dims") : [],
  };
}

const move = (ctx: LoweringContext, v: Value, perm: readonly number[]): Value => (isIdentityPerm(perm) ? v : ctx.op("Transpose", [v], { perm }));

/** The ONNX scatter op with `reduction` (dtypes onnxruntime lacks a kernel for: ctx.op casts around them). */
function scatterOp(ctx: LoweringContext, op: "ScatterND" | "ScatterElements", reduction: Reduction, data: Value, indices: Value, updates: Value, attrs: Record<string, number> = {}): Value {
  return ctx.op(op, [data, indices, updates], { ...attrs, ...(reduction === "none" ? {} : { reduction }) });
}

/** Pads `axis` of `v` at the end by `extra` (a scratch block for discarded windows). */
function padAxis(ctx: LoweringContext, v: Value, axis: number, extra: Dim): Value {
  const rank = v.type.shape.length;
  const pads: Dim[] = new Array<Dim>(2 * rank).fill(0);
  pads[rank + axis] = extra;
  return ctx.op("Pad", [v, ctx.shape(pads)], {}, { types: [{ dtype: v.type.dtype, shape: v.type.shape.map((s, i) => (i === axis ? null : s)) }] });
}

function lowerScatter(ctx: LoweringContext, reduction: Reduction, negate: boolean): Value {
  if (ctx.params.isNone("update_jaxpr") === false && reduction === "none") return lowerScatterApply(ctx);
  return scatterInto(ctx, reduction, negate, ctx.input(0), ctx.input(1), ctx.input(2));
}

/**
 * x.at[i].apply(f) / lax.scatter_apply: a scatter whose update function (update_jaxpr) is
 * f(old) and ignores the update values (JAX passes zeros). XLA applies it once per index that
 * hits an element, in turn, so an element hit c times becomes f^c(x). ONNX has no scatter with a
 * function, so: c per element is a scatter-add of ones into zeros with the same dimension numbers
 * and mode (dropped windows count nothing), and f runs elementwise (the scalar update jaxpr lifted
 * to x's shape: lift-scalar-jaxpr.ts) in an ONNX Loop on the elements with c > 0, element e for
 * c(e) steps (converge_loop.ts).
 */
function lowerScatterApply(ctx: LoweringContext): Value {
  const update = ctx.params.jaxpr("update_jaxpr");
  const [old, upd] = update.invars;
  const readsUpdate = (v: { kind: string; var?: { id: number } }) => v.kind === "var" && v.var!.id === upd?.id;
  if (!old || update.outvars.length !== 1 || update.eqns.some((e) => e.inputs.some(readsUpdate)) || update.outvars.some(readsUpdate)) {
    ctx.fail("scatter with an update function that reads the update values is not supported (x.at[...].apply and lax.scatter_apply pass f(old) only)");
  }
  const x = ctx.input(0);
  const shape = ctx.outAval().shape;
  const lifted = liftScalarJaxpr(update, shape, (p) => ELEMENTWISE_PRIMITIVES.has(p));
  if (typeof lifted === "string") ctx.fail(`x.at[...].apply(f) with this f is not supported: ${lifted} (f must be elementwise on scalars)`);
  const hits = scatterInto(ctx, "add", false, filled(ctx, 0, "int32", x.type.shape), ctx.input(1), filled(ctx, 1, "int32", ctx.input(2).type.shape));
  const [result] = iterateElementwise(ctx, {
    init: [x],
    active: ctx.op("Greater", [hits, ctx.scalar(0, "int32")]),
    maxIterations: 2 ** 31 - 1, // ends when no element has hits left (c <= the number of indices)
    counterDtype: "int32",
    step: ([v], k) => ({ next: [ctx.inline(lifted as Jaxpr, [v, v])[0]], unconverged: ctx.op("Less", [k, hits]) }),
  });
  return result;
}

/** A scatter of `updates` into `x` with the eqn's dimension numbers and mode. */
function scatterInto(ctx: LoweringContext, reduction: Reduction, negate: boolean, x: Value, indices: Value, updates: Value): Value {
  const dims = readDims(ctx);
  const mode = ctx.params.enumName("mode", "GatherScatterMode");
  if (negate) updates = isUnsignedInt(updates.type.dtype) ? ctx.op("Sub", [ctx.scalar(0, updates.type.dtype), updates]) : ctx.op("Neg", [updates]);
  const shape = x.type.shape;
  const rank = shape.length;
  const batch = indices.type.shape.slice(0, -1);
  const { scatterDimsToOperand: sdod, operandBatching: obd, insertedWindowDims: iwd, updateWindowDims: uwd } = dims;

  // Window size per operand dim, and the update axis of each window dim.
  const windowDims = shape.map((_, d) => d).filter((d) => !iwd.includes(d) && !obd.includes(d));
  const updateAxis = (d: number): number => uwd[windowDims.indexOf(d)];
  const window = (d: number): Dim => (windowDims.includes(d) ? updates.type.shape[updateAxis(d)] : 1);
  const scatterAxes = updates.type.shape.map((_, i) => i).filter((i) => !uwd.includes(i));

  const raw = sdod.map((_, j) => indexComponent(ctx, indices, j));
  const bounds = sdod.map((d) => lastStart(ctx, shape[d], window(d)));
  const clamped = raw.map((s, j) => clampStart(ctx, s, bounds[j]));
  // Windows to discard (FILL_OR_DROP, PROMISE_IN_BOUNDS) go to a scratch block past the end of
  // the first indexed axis: its start becomes the axis size there.
  const drops = mode !== "CLIP" && sdod.length > 0;
  const kept = drops ? raw.map((s, j) => startInBounds(ctx, s, bounds[j])).reduce((a, b) => ctx.op("And", [a, b])) : null;
  const starts = clamped.map((s, j) => (kept && j === 0 ? ctx.op("Where", [kept, s, dimScalar(ctx, shape[sdod[0]])]) : s));

  // Case 1.
  const sole = sdod.length === 1 && iwd.includes(sdod[0]) && uwd.length === 0 && obd.length === rank - 1 ? sdod[0] : null;
  const inPlace = sole !== null && (batch.length === rank ? obd.every((d, i) => dims.indicesBatching[i] === d) : batch.length === rank - 1 && obd.every((d, i) => dims.indicesBatching[i] === (d < sole ? d : d - 1)));
  if (sole !== null && inPlace) {
    let idx = starts[0];
    let upd = updates;
    if (batch.length === rank - 1) {
      idx = ctx.op("Unsqueeze", [idx, ctx.int64s([sole])]);
      upd = ctx.op("Unsqueeze", [upd, ctx.int64s([sole])]);
    }
    const data = drops ? padAxis(ctx, x, sole, 1) : x;
    const out = scatterOp(ctx, "ScatterElements", reduction, data, idx, upd, { axis: sole });
    return drops ? ctx.op("Slice", [out, ctx.int64s([0]), ctx.shape([shape[sole]]), ctx.int64s([sole])], {}, { types: [{ dtype: x.type.dtype, shape: ctx.outType().shape }] }) : out;
  }

  // Case 2.
  const coordPlain = shape.map((_, d) => d).filter((d) => !sdod.includes(d) && !obd.includes(d) && window(d) !== shape[d]);
  const coords = [...obd, ...sdod, ...coordPlain];
  const whole = shape.map((_, d) => d).filter((d) => !coords.includes(d));
  const zero = ctx.constant([0], "int64", batch.map(() => 1));
  const axes: GridAxis[] = coords.map((d) => {
    const b = obd.indexOf(d);
    if (b >= 0) return { start: axisIota(ctx, batch[dims.indicesBatching[b]], dims.indicesBatching[b], batch.length) };
    const j = sdod.indexOf(d);
    const start = j >= 0 ? starts[j] : zero;
    return iwd.includes(d) ? { start } : { start, window: window(d) };
  });
  const grid = coordinateGrid(ctx, batch, axes);
  const windowed = coords.filter((d) => windowDims.includes(d));
  const updatesT = move(ctx, updates, [...scatterAxes, ...windowed.map(updateAxis), ...whole.map(updateAxis)]);
  const perm = [...coords, ...whole];
  let data = move(ctx, x, perm);
  const scratchAxis = coords.indexOf(sdod[0]);
  if (drops) data = padAxis(ctx, data, scratchAxis, window(sdod[0]));
  let out = scatterOp(ctx, "ScatterND", reduction, data, grid, updatesT);
  if (drops) out = ctx.op("Slice", [out, ctx.int64s([0]), ctx.shape([shape[sdod[0]]]), ctx.int64s([scratchAxis])], {}, { types: [{ dtype: x.type.dtype, shape: perm.map((d) => shape[d]) }] });
  return move(ctx, out, inversePerm(perm));
}

const rule = (primitive: string, reduction: Reduction, minOpset: number, negate = false): LoweringRule => ({
  primitive,
  onnxOps: ["ScatterND", "ScatterElements", "Transpose", "Pad", "Slice", "Where", "Max", "Min", ...(negate ? ["Neg"] : [])],
  minOpset,
  lower: (ctx) => lowerScatter(ctx, reduction, negate),
});

// ScatterND / ScatterElements take `reduction` from opset 16 (add, mul) and 18 (min, max).
export const SCATTER_RULES: LoweringRule[] = [
  rule("scatter", "none", 11),
  rule("scatter-add", "add", 16),
  rule("scatter-sub", "add", 16, true),
  rule("scatter-mul", "mul", 16),
  rule("scatter-min", "min", 18),
  rule("scatter-max", "max", 18),
];
