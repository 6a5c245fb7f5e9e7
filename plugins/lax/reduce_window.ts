/**
 * lax.reduce_window_{sum,max,min} (what avg_pool / max_pool are made of) -> ONNX pools, or
 * strided Slices combined with Add / Max / Min where onnxruntime has no pool kernel.
 *
 * XLA's order: the operand is dilated by base_dilation and padded by `padding`, both with the
 * reduction's identity (0, -inf / the dtype's min, +inf / max), then every window (window
 * dimensions, window_dilation, strides) is reduced. Dims with window 1, stride 1, no padding and
 * no dilation are the non-window ones.
 *
 * Pool path (sum on float32 / float16, max on those, float64, int8, uint8, min on floats):
 * ONNX pools want (N, C, spatial...), so the non-window dims move to the front and become N and
 * C: as they are when there are two, with a unit C for one, and for none or more than two
 * (plain 1-D sums, Equinox pools over a leading vmap axis) reshaped into N with a unit C.
 *  - sum: AveragePool (count_include_pad=1, so padding counts as zeros) times the window size.
 *  - max: MaxPool. min: -MaxPool(-x).
 * Slice path (every other dtype: onnxruntime 1.32 / -web 1.30 have no AveragePool for ints or
 * float64, no MaxPool for int16..int64 or bool): a box window reduces one axis at a time; along
 * an axis the window's k elements are k strided Slices of the padded input (element j of every
 * window at start j * dilation, step stride), combined elementwise.
 */
import { isFloat, type Dim, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { inversePerm, isIdentityPerm } from "../../src/core";
import { dilateAxis, padEnds } from "../shared/dilate";
import { castTo } from "../shared/kernel_dtypes";

type Kind = "sum" | "max" | "min";

interface Window {
  readonly size: readonly number[];
  readonly strides: readonly number[];
  readonly padding: readonly (readonly number[])[];
  readonly dilation: readonly number[];
}

/** The identity of the reduction in `dtype`: what XLA pads and dilates with. */
function identity(kind: Kind, dtype: DType): number | bigint | boolean {
  if (kind === "sum") return dtype === "bool" ? false : 0;
  const low = kind === "max";
  if (dtype === "bool") return !low;
  if (isFloat(dtype)) return low ? -Infinity : Infinity;
  const bits = BigInt(Number(dtype.replace(/\D/g, "")));
  if (dtype.startsWith("u")) return low ? 0 : 2n ** bits - 1n;
  return low ? -(2n ** (bits - 1n)) : 2n ** (bits - 1n) - 1n;
}

function poolPathFits(kind: Kind, dtype: DType): boolean {
  if (kind === "sum") return dtype === "float32" || dtype === "float16";
  if (kind === "max") return isFloat(dtype) || dtype === "int8" || dtype === "uint8";
  return isFloat(dtype);
}

function lowerWithPool(ctx: LoweringContext, kind: Kind, input: Value, w: Window, spatial: readonly number[], other: readonly number[]): Value {
  const perm = [...other, ...spatial];
  let x = input;
  const identityPerm = isIdentityPerm(perm);
  if (!identityPerm) x = ctx.op("Transpose", [x], { perm });
  const moved = x;
  // To (N, C, spatial...).
  if (other.length === 1) x = ctx.op("Unsqueeze", [x, ctx.int64s([1])]);
  else if (other.length !== 2) {
    const dims = moved.type.shape.slice(other.length);
    const target = dims.every((d) => typeof d === "number")
      ? ctx.int64s([-1, 1, ...(dims as number[])])
      : ctx.op("Concat", [ctx.int64s([-1, 1]), ctx.op("Shape", [moved], { start: other.length })], { axis: 0 });
    const n = other.reduce<Dim>((acc, i) => (typeof acc === "number" && typeof input.type.shape[i] === "number" ? acc * (input.type.shape[i] as number) : null), 1);
    x = ctx.op("Reshape", [x, target], {}, { types: [{ dtype: x.type.dtype, shape: [n, 1, ...dims] }] });
  }
  let pads = [...spatial.map((i) => w.padding[i][0]), ...spatial.map((i) => w.padding[i][1])];
  // onnxruntime rejects pool pads >= kernel_shape ("Pad should be smaller than kernel"); JAX allows
  // them (a window wholly in the padding reduces to the init value), so pad explicitly then.
  const padFirst = spatial.some((i) => w.padding[i][0] >= w.size[i] || w.padding[i][1] >= w.size[i]);
  if (padFirst) {
    const fill = ctx.scalar(identity(kind, x.type.dtype), x.type.dtype);
    x = padEnds(ctx, x, fill, [0, 0, ...pads.slice(0, spatial.length)], [0, 0, ...pads.slice(spatial.length)]);
    pads = pads.map(() => 0);
  }
  const attrs = {
    kernel_shape: spatial.map((i) => w.size[i]),
    strides: spatial.map((i) => w.strides[i]),
    pads,
    ...(w.dilation.some((d) => d !== 1) ? { dilations: spatial.map((i) => w.dilation[i]) } : {}),
  };
  let y: Value;
  if (kind === "sum") {
    const size = ctx.scalar(spatial.reduce((n, i) => n * w.size[i], 1), x.type.dtype);
    const avg = (v: Value): Value => ctx.op("AveragePool", [v], { ...attrs, count_include_pad: 1 });
    // After a Pad, scale first: onnxruntime-web 1.30's PadFusion (graph optimization level basic)
    // folds a Pad that feeds AveragePool back into its pads, which AveragePool then rejects.
    y = padFirst ? avg(ctx.op("Mul", [x, size])) : ctx.op("Mul", [avg(x), size]);
  } else if (kind === "max") {
    y = ctx.op("MaxPool", [x], attrs);
  } else {
    y = ctx.op("Neg", [ctx.op("MaxPool", [ctx.op("Neg", [x])], attrs)]);
  }
  // Back to [other..., spatial...].
  if (other.length === 1) y = ctx.op("Squeeze", [y, ctx.int64s([1])]);
  else if (other.length !== 2) {
    const outSpatial = y.type.shape.slice(2);
    const outOther = other.map((i) => input.type.shape[i]);
    const all = [...outOther, ...outSpatial];
    const target = all.every((d) => typeof d === "number")
      ? ctx.int64s(all as number[])
      : ctx.op("Concat", [ctx.op("Shape", [moved], { start: 0, end: other.length }), ctx.op("Shape", [y], { start: 2 })], { axis: 0 });
    y = ctx.op("Reshape", [y, target], {}, { types: [{ dtype: y.type.dtype, shape: all }] });
  }
  return identityPerm ? y : ctx.op("Transpose", [y], { perm: inversePerm(perm) });
}

/** Max / Min kernels onnxruntime lacks (bool, int16, uint16 on -web): run those in a wider dtype. */
const COMBINE_VIA: Partial<Record<DType, DType>> = { bool: "uint8", int16: "int32", uint16: "int32" };

function lowerWithSlices(ctx: LoweringContext, kind: Kind, input: Value, w: Window, spatial: readonly number[]): Value {
  const dtype = input.type.dtype;
  if (kind === "sum" && dtype === "bool") ctx.fail("reduce_window_sum of bool is not supported");
  const via = kind === "sum" ? dtype : COMBINE_VIA[dtype] ?? dtype;
  let x = castTo(ctx, input, via);
  const fill = ctx.scalar(identity(kind, via), via);
  x = padEnds(ctx, x, fill, w.padding.map(([lo]) => lo), w.padding.map(([, hi]) => hi));
  const combine = kind === "sum" ? "Add" : kind === "max" ? "Max" : "Min";
  for (const i of spatial) {
    const span = w.dilation[i] * (w.size[i] - 1) + 1;
    const parts = Array.from({ length: w.size[i] }, (_, j) => {
      const start = j * w.dilation[i];
      // Stop `span - 1 - start` before the end, so every part has one element per window.
      const fromEnd = span - 1 - start;
      const end = fromEnd > 0 ? BigInt(-fromEnd) : 2n ** 63n - 1n;
      return ctx.op("Slice", [x, ctx.int64s([start]), ctx.constant([end], "int64"), ctx.int64s([i]), ctx.int64s([w.strides[i]])]);
    });
    x = parts.reduce((a, b) => ctx.op(combine, [a, b]));
  }
  return castTo(ctx, x, dtype);
}

function lowerReduceWindow(ctx: LoweringContext, kind: Kind): Value {
  const p = ctx.params;
  const w: Window = {
    size: p.ints("window_dimensions"),
    strides: p.ints("window_strides"),
    padding: p.tuple("padding").map((_, i) => p.ints("padding", i)),
    dilation: p.ints("window_dilation"),
  };
  let x = ctx.input(0);
  const fill = ctx.scalar(identity(kind, x.type.dtype), x.type.dtype);
  p.ints("base_dilation").forEach((d, i) => {
    if (d > 1) x = dilateAxis(ctx, x, fill, i, d - 1);
  });
  const trivial = w.size.map((k, i) => k === 1 && w.strides[i] === 1 && w.padding[i][0] === 0 && w.padding[i][1] === 0 && w.dilation[i] === 1);
  const spatial = w.size.map((_, i) => i).filter((i) => !trivial[i]);
  const other = w.size.map((_, i) => i).filter((i) => trivial[i]);
  if (spatial.length === 0) return x;
  if (!poolPathFits(kind, x.type.dtype)) return lowerWithSlices(ctx, kind, x, w, spatial);
  if (w.dilation.some((d) => d !== 1) && ctx.opset < 19) ctx.fail("window dilation needs opset >= 19");
  return lowerWithPool(ctx, kind, x, w, spatial, other);
}

export const REDUCE_WINDOW_RULES: LoweringRule[] = (["sum", "max", "min"] as const).map((kind) => ({
  primitive: `reduce_window_${kind}`,
  onnxOps: [...(kind === "sum" ? ["AveragePool", "Mul", "Add"] : kind === "max" ? ["MaxPool", "Max"] : ["MaxPool", "Neg", "Min"]), "Transpose", "Reshape", "Pad", "Slice"],
  lower: (ctx: LoweringContext) => lowerReduceWindow(ctx, kind),
}));
