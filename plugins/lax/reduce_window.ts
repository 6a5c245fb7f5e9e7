/**
 * lax.reduce_window_{sum,max,min} (what avg_pool / max_pool are made of) -> ONNX pools, or
 * strided Slices combined with Add / Max / Min where onnxruntime has no pool kernel.
 *
 * XLA's order: the operand is dilated by base_dilation and padded by `padding`, then every
 * window (window dimensions, window_dilation, strides) is reduced; holes and padding count as
 * the reduction's identity (0, -inf / the dtype's min, +inf / max). Dims with window 1, stride 1, no padding and
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
import { dtypeByteSize, inversePerm, isFloat, isIdentityPerm, isUnsignedInt, type Dim, type DType, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
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
  const bits = BigInt(8 * dtypeByteSize(dtype));
  if (isUnsignedInt(dtype)) return low ? 0 : 2n ** bits - 1n;
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

type Combine = "Add" | "Mul" | "Max" | "Min" | "And" | "Or" | "BitwiseAnd" | "BitwiseOr" | "Xor" | "BitwiseXor";

/** Reduces every window of `x` (dilated / padded already or here with `fill`) with `combine`. */
function lowerWithSlices(ctx: LoweringContext, combine: Combine, input: Value, fill: Value, w: Window, spatial: readonly number[]): Value {
  const dtype = input.type.dtype;
  const via = combine === "Max" || combine === "Min" ? COMBINE_VIA[dtype] ?? dtype : dtype;
  if (combine === "Add" && dtype === "bool") ctx.fail("a window sum of bools is not supported");
  let x = castTo(ctx, input, via);
  x = padEnds(ctx, x, castTo(ctx, fill, via), w.padding.map(([lo]) => lo), w.padding.map(([, hi]) => hi));
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

function readWindow(ctx: LoweringContext): Window {
  const p = ctx.params;
  return {
    size: p.ints("window_dimensions"),
    strides: p.ints("window_strides"),
    padding: p.tuple("padding").map((_, i) => p.ints("padding", i)),
    dilation: p.ints("window_dilation"),
  };
}

/** Dilates by base_dilation with `fill`, and splits the dims into window and non-window ones. */
function prepare(ctx: LoweringContext, x: Value, fill: Value, w: Window): { x: Value; spatial: number[]; other: number[] } {
  ctx.params.ints("base_dilation").forEach((d, i) => {
    if (d > 1) x = dilateAxis(ctx, x, fill, i, d - 1);
  });
  const trivial = w.size.map((k, i) => k === 1 && w.strides[i] === 1 && w.padding[i][0] === 0 && w.padding[i][1] === 0 && w.dilation[i] === 1);
  return { x, spatial: w.size.map((_, i) => i).filter((i) => !trivial[i]), other: w.size.map((_, i) => i).filter((i) => trivial[i]) };
}

function lowerReduceWindow(ctx: LoweringContext, kind: Kind): Value {
  const w = readWindow(ctx);
  const input = ctx.input(0);
  const fill = ctx.scalar(identity(kind, input.type.dtype), input.type.dtype);
  const { x, spatial, other } = prepare(ctx, input, fill, w);
  if (spatial.length === 0) return x;
  if (!poolPathFits(kind, x.type.dtype)) return lowerWithSlices(ctx, kind === "sum" ? "Add" : kind === "max" ? "Max" : "Min", x, fill, w, spatial);
  if (w.dilation.some((d) => d !== 1) && ctx.opset < 19) ctx.fail("window dilation needs opset >= 19");
  return lowerWithPool(ctx, kind, x, w, spatial, other);
}

/** The ONNX op for a reducer jaxpr that is one binary primitive on its two arguments. */
function reducerOp(ctx: LoweringContext, dtype: DType): Combine {
  const body = ctx.params.jaxpr("jaxpr");
  const eqn = body.eqns[0];
  const args = body.invars.map((v) => v.id);
  const out = body.outvars[0];
  const simple = body.eqns.length === 1 && body.outvars.length === 1 && out.kind === "var" && out.var.id === eqn.outputs[0].id
    && eqn.inputs.length === 2 && eqn.inputs.every((a, i) => a.kind === "var" && a.var.id === args[i]);
  const bool = dtype === "bool";
  const ops: Record<string, Combine> = { add: "Add", mul: "Mul", max: "Max", min: "Min", and: bool ? "And" : "BitwiseAnd", or: bool ? "Or" : "BitwiseOr", xor: bool ? "Xor" : "BitwiseXor" };
  const op = simple ? ops[eqn.prim] : undefined;
  if (!op) ctx.fail("reduce_window with this reducer is not supported: only a single add, mul, max, min, and, or or xor of the two arguments");
  return op;
}

/** The identity of a reducer op in `dtype`. */
function combineIdentity(op: Combine, dtype: DType): number | bigint | boolean {
  switch (op) {
    case "Add": case "Or": case "BitwiseOr": case "Xor": case "BitwiseXor": return dtype === "bool" ? false : 0;
    case "Mul": return 1;
    case "And": return true;
    case "BitwiseAnd": return isUnsignedInt(dtype) ? identity("min", dtype) : -1;
    case "Max": return identity("max", dtype);
    case "Min": return identity("min", dtype);
  }
}

/**
 * The generic lax.reduce_window(operand, init, computation): for a reducer that is one binary
 * op (lax.mul, lax.bitwise_or, ...). XLA starts every window's reduction from init and skips
 * padding and dilation holes (measured on JAX 0.10.2's CPU backend: a window sum with init 2 and
 * one padded element is 2 + the one real element). So holes and padding are the reducer's
 * identity, and each reduced window is combined with init once.
 */
export const reduceWindowRule: LoweringRule = {
  primitive: "reduce_window",
  onnxOps: ["Slice", "Add", "Mul", "Max", "Min", "And", "Or", "Xor", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Pad"],
  lower(ctx) {
    if (ctx.eqn.inputs.length !== 2) ctx.fail("reduce_window over several operands is not supported");
    const w = readWindow(ctx);
    const init = ctx.input(1);
    const combine = reducerOp(ctx, init.type.dtype);
    const fill = ctx.scalar(combineIdentity(combine, init.type.dtype), init.type.dtype);
    const { x, spatial } = prepare(ctx, ctx.input(0), fill, w);
    if (spatial.length === 0) return ctx.op(combine, [init, x]);
    return ctx.op(combine, [init, lowerWithSlices(ctx, combine, x, fill, w, spatial)]);
  },
};

export const REDUCE_WINDOW_RULES: LoweringRule[] = (["sum", "max", "min"] as const).map((kind) => ({
  primitive: `reduce_window_${kind}`,
  onnxOps: [...(kind === "sum" ? ["AveragePool", "Mul", "Add"] : kind === "max" ? ["MaxPool", "Max"] : ["MaxPool", "Neg", "Min"]), "Transpose", "Reshape", "Pad", "Slice"],
  lower: (ctx: LoweringContext) => lowerReduceWindow(ctx, kind),
}));
