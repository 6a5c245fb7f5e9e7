/**
 * lax.gather -> the simplest exact ONNX op: Slice, Gather, GatherElements, or GatherND.
 *
 * XLA's semantics (GatherDimensionNumbers; start_indices with the index vector last): for each
 * batch position g of start_indices, the operand window starting at S(g) of size slice_sizes is
 * read, where S puts start_indices[g, j] at operand dim start_index_map[j], the batch index
 * itself at each operand_batching_dims[i] (paired with start_indices_batching_dims[i]), and 0
 * elsewhere. collapsed_slice_dims and operand_batching_dims (size-1 windows) are dropped; the
 * remaining window dims go, in operand order, to output positions offset_dims, and the batch
 * dims of start_indices fill the other output positions in order.
 *
 * Modes: CLIP clamps each start to [0, dim - slice_size]; PROMISE_IN_BOUNDS is the same in
 * XLA ("out-of-bounds gathers will be clamped", GatherScatterMode docs), so it is clamped too;
 * FILL_OR_DROP replaces the whole window by fill_value when a start is outside that range
 * (jax._src.lax.slicing._gather_fill), and the clamped read keeps the ONNX op in bounds.
 *
 * Every path below yields the result in a natural layout, described by labels (a batch dim of
 * start_indices or an operand window dim), and one Transpose takes it to JAX's layout.
 *  1. No batch dims (start_indices is one vector): a Slice with run-time starts.
 *  2. One collapsed indexed dim and no batching dims (x[idx], x[:, idx], jnp.take): Gather.
 *  3. One collapsed indexed dim, every other dim a batching dim paired in place
 *     (jnp.take_along_axis): GatherElements.
 *  4. Anything else: GatherND on the operand transposed to [batching, indexed, rest] with a
 *     coordinate grid [batch..., window..., coordinates].
 * Operand dims that are neither indexed nor batching always start at 0: they are sliced to
 * their window first, and squeezed at the end when collapsed.
 */
import { dtypeByteSize, isFloat, isIdentityPerm, isUnsignedInt, type Dim, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { axisIota, clampStart, coordinateGrid, indexComponent, lastStart, startInBounds } from "../shared/index_math";
import { withKernelDtype } from "../shared/kernel_dtypes";

type Label = { readonly batch: number } | { readonly window: number };

const sameLabel = (a: Label, b: Label): boolean => ("batch" in a ? "batch" in b && a.batch === b.batch : "window" in b && a.window === b.window);

interface GatherDims {
  readonly offsetDims: readonly number[];
  readonly collapsed: readonly number[];
  readonly startIndexMap: readonly number[];
  readonly operandBatching: readonly number[];
  readonly indicesBatching: readonly number[];
  readonly sliceSizes: readonly Dim[];
}

function readDims(ctx: LoweringContext): GatherDims {
  const dn = ctx.params.structFields("dimension_numbers", "GatherDimensionNumbers");
  return {
    offsetDims: dn.ints("offset_dims"),
    collapsed: dn.ints("collapsed_slice_dims"),
    startIndexMap: dn.ints("start_index_map"),
    operandBatching: dn.has("operand_batching_dims") ? dn.ints("operand_batching_dims") : [],
    indicesBatching: dn.has("start_indices_batching_dims") ? dn.ints("start_indices_batching_dims") : [],
    sliceSizes: ctx.params.dims("slice_sizes"),
  };
}

/** JAX's fill for FILL_OR_DROP when the param is None (jax.lax.gather): NaN, the integer min / max, True. */
function fillValue(ctx: LoweringContext, dtype: DType): number | boolean | bigint {
  const v = ctx.params.isNone("fill_value") ? null : ctx.params.get("fill_value");
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (v !== null && typeof v === "object" && "kind" in v) {
    if (v.kind === "float") return v.value;
    if (v.kind === "bigint") return BigInt(v.text);
  }
  if (v !== null) ctx.fail(`fill_value of an unexpected kind`);
  if (dtype === "bool") return true;
  if (isFloat(dtype)) return NaN;
  const bits = BigInt(8 * dtypeByteSize(dtype));
  return isUnsignedInt(dtype) ? 2n ** bits - 1n : -(2n ** (bits - 1n));
}

/** The labels of JAX's output layout, position by position. */
function jaxLayout(dims: GatherDims, rank: number, batchRank: number): Label[] {
  const windows = Array.from({ length: rank }, (_, d) => d).filter((d) => !dims.collapsed.includes(d) && !dims.operandBatching.includes(d));
  const out: Label[] = [];
  let b = 0;
  for (let p = 0; p < windows.length + batchRank; p++) {
    const k = dims.offsetDims.indexOf(p);
    out.push(k >= 0 ? { window: windows[k] } : { batch: b++ });
  }
  return out;
}

export const gatherRule: LoweringRule = {
  primitive: "gather",
  onnxOps: ["Slice", "Gather", "GatherElements", "GatherND", "Transpose", "Squeeze", "Where", "Max", "Min"],
  lower(ctx) {
    const dims = readDims(ctx);
    const mode = ctx.params.enumName("mode", "GatherScatterMode");
    let x = ctx.input(0);
    const indices = ctx.input(1);
    const shape = x.type.shape;
    const rank = shape.length;
    const batch = indices.type.shape.slice(0, -1);
    const { startIndexMap: sim, operandBatching: obd, collapsed, sliceSizes: ss } = dims;

    // Starts of the indexed dims: clamped (every mode reads in bounds), and for FILL_OR_DROP
    // whether each batch element's window was in bounds.
    const raw = sim.map((_, j) => indexComponent(ctx, indices, j));
    const bounds = sim.map((d) => lastStart(ctx, shape[d], ss[d]));
    const starts = raw.map((s, j) => clampStart(ctx, s, bounds[j]));
    const inBounds = mode === "FILL_OR_DROP" && sim.length ? raw.map((s, j) => startInBounds(ctx, s, bounds[j])).reduce((a, b) => ctx.op("And", [a, b])) : null;

    // Dims neither indexed nor batching start at 0: slice them to their window once.
    const rest = shape.map((_, d) => d).filter((d) => !sim.includes(d) && !obd.includes(d));
    const cut = rest.filter((d) => ss[d] !== shape[d]);
    if (cut.length) x = ctx.op("Slice", [x, ctx.int64s(cut.map(() => 0)), ctx.shape(cut.map((d) => ss[d])), ctx.int64s(cut)]);

    let y: Value;
    let natural: Label[];
    const soleIndexed = sim.length === 1 && collapsed.includes(sim[0]) ? sim[0] : null;
    if (batch.length === 0 && obd.length === 0) {
      // Case 1: one window; the rest dims are already cut.
      natural = shape.map((_, d) => ({ window: d }));
      if (sim.length) {
        const s = starts.map((v) => ctx.op("Unsqueeze", [v, ctx.int64s([0])]));
        const start = s.length === 1 ? s[0] : ctx.op("Concat", s, { axis: 0 });
        const sliced = x.type.shape.map((d, i) => (sim.includes(i) ? ss[i] : d));
        y = ctx.op("Slice", [x, start, ctx.op("Add", [start, ctx.shape(sim.map((d) => ss[d]))]), ctx.int64s(sim)], {}, { types: [{ dtype: x.type.dtype, shape: sliced }] });
      } else y = x;
    } else if (soleIndexed !== null && obd.length === 0) {
      // Case 2.
      const a = soleIndexed;
      y = ctx.op("Gather", [x, starts[0]], { axis: a });
      natural = [...shape.slice(0, a).map((_, d) => ({ window: d })), ...batch.map((_, i) => ({ batch: i })), ...shape.slice(a + 1).map((_, d) => ({ window: a + 1 + d }))];
    } else if (soleIndexed !== null && dims.offsetDims.length === 0 && batch.length === rank && obd.every((d, i) => dims.indicesBatching[i] === d) && obd.length === rank - 1) {
      // Case 3: batch position d pairs with operand dim d, and the indexed dim sits at its own position.
      y = ctx.op("GatherElements", [x, starts[0]], { axis: soleIndexed });
      natural = batch.map((_, i) => ({ batch: i }));
    } else {
      // Case 4.
      const perm = [...obd, ...sim, ...rest];
      const xt = isIdentityPerm(perm) ? x : ctx.op("Transpose", [x], { perm });
      const grid = coordinateGrid(ctx, batch, [
        ...obd.map((_, i) => ({ start: axisIota(ctx, batch[dims.indicesBatching[i]], dims.indicesBatching[i], batch.length) })),
        ...sim.map((d, j) => ({ start: starts[j], ...(collapsed.includes(d) ? {} : { window: ss[d] }) })),
      ]);
      y = ctx.op("GatherND", [xt, grid]);
      natural = [...batch.map((_, i) => ({ batch: i })), ...sim.filter((d) => !collapsed.includes(d)).map((d) => ({ window: d })), ...rest.map((d) => ({ window: d }))];
    }

    // Rest dims that are collapsed have size 1 here: drop them.
    const drop = natural.flatMap((l, p) => ("window" in l && collapsed.includes(l.window) ? [p] : []));
    if (drop.length) {
      y = ctx.op("Squeeze", [y, ctx.int64s(drop)]);
      natural = natural.filter((_, p) => !drop.includes(p));
    }
    if (inBounds) {
      const mask = natural.length > batch.length ? ctx.op("Unsqueeze", [inBounds, ctx.int64s(natural.flatMap((l, p) => ("window" in l ? [p] : [])))]) : inBounds;
      const fill = ctx.scalar(fillValue(ctx, x.type.dtype), x.type.dtype);
      y = withKernelDtype(ctx, "Where", [y, fill], ([v, f]) => ctx.op("Where", [mask, v, f]));
    }
    const perm = jaxLayout(dims, rank, batch.length).map((l) => natural.findIndex((n) => sameLabel(n, l)));
    return isIdentityPerm(perm) ? y : ctx.op("Transpose", [y], { perm });
  },
};

