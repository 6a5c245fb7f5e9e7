/**
 * lax.conv_general_dilated -> ONNX Conv, which wants NCHW input and OIHW kernels.
 * `dimension_numbers` (ConvDimensionNumbers) give, for input, kernel and output, the position of
 * each logical dim: lhs_spec = (batch, feature, spatial...), rhs_spec = (out feature, in feature,
 * spatial...), out_spec = (batch, feature, spatial...). So Transpose(x, lhs_spec) is NCHW,
 * Transpose(w, rhs_spec) is OIHW (folded into the weight by fold-initializer-transpose, so a
 * Flax HWIO kernel is stored as OIHW), and the result goes back with out_spec's inverse.
 * Layout stays JAX's at the graph's edges; the NCHW round trips between ops are a later pass's job.
 *
 * XLA applies lhs_dilation to the input (zeros between elements), then padding, then the
 * strided, rhs-dilated window. A transposed convolution (lax.conv_transpose, nnx.ConvTranspose,
 * eqx.nn.ConvTranspose) is lhs_dilation > 1:
 *  - ONNX ConvTranspose when it can say the same: window strides 1 and 0 <= low <= d * (k - 1)
 *    per spatial dim (d: rhs dilation, k: kernel size). ConvTranspose pads the dilated input by
 *    d * (k - 1) on each side, so its pads are d * (k - 1) - low and d * (k - 1) - high, a
 *    negative end pad becoming output_padding (zeros past the last window, which are zeros in
 *    XLA too: the padding only meets zeros). Its kernel is the Conv kernel flipped spatially
 *    with in / out features swapped within each group: [O, C/g, k] -> [C, O/g, k].
 *  - otherwise the input is dilated with zeros explicitly (plugins/shared/dilate.ts) and
 *    convolved (exact, but it multiplies the inserted zeros too).
 * Negative padding (cropping) goes through an explicit Pad too, since Conv's pads must be >= 0.
 *
 * batch_group_count G > 1 (what weight gradients of grouped convolutions use): XLA splits the
 * batch into G groups, group-major, and convolves batch group g with output feature group g.
 * That is a grouped Conv after moving the batch groups into the channels:
 * [N, C, ...] -> [G, N/G, C, ...] -> [N/G, G, C, ...] -> [N/G, G*C, ...], group = G.
 */
import { inversePerm, isIdentityPerm, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { dilateAxis, padEnds } from "../shared/dilate";

/** [N, C, ...] -> [N/G, G*C, ...] with batch group g taking channels g*C .. (g+1)*C - 1. */
function batchGroupsToChannels(ctx: LoweringContext, x: Value, groups: number): Value {
  const [n, c, ...spatial] = x.type.shape;
  if (typeof c !== "number") ctx.fail("batch_group_count > 1 needs a static feature dim");
  const perGroup = typeof n === "number" ? n / groups : null;
  const split = ctx.op("Reshape", [x, ctx.shape([groups, -1, c, ...spatial])], {}, { types: [{ dtype: x.type.dtype, shape: [groups, perGroup, c, ...spatial] }] });
  const moved = ctx.op("Transpose", [split], { perm: [1, 0, ...split.type.shape.slice(2).map((_, i) => i + 2)] });
  return ctx.op("Reshape", [moved, ctx.shape([-1, groups * c, ...spatial])], {}, { types: [{ dtype: x.type.dtype, shape: [perGroup, groups * c, ...spatial] }] });
}

/** A Conv kernel [O, C/g, k...] as the ConvTranspose kernel [C, O/g, k...]: flipped, features swapped per group. */
function transposedKernel(ctx: LoweringContext, w: Value, groups: number): Value {
  const [o, cg, ...k] = w.type.shape as number[];
  const spatial = k.map((_, i) => 2 + i);
  const flipped = ctx.op("Slice", [w, ctx.int64s(spatial.map(() => -1)), ctx.constant(spatial.map(() => -(2n ** 63n)), "int64"), ctx.int64s(spatial), ctx.int64s(spatial.map(() => -1))]);
  if (groups === 1) return ctx.op("Transpose", [flipped], { perm: [1, 0, ...spatial] });
  const split = ctx.op("Reshape", [flipped, ctx.int64s([groups, o / groups, cg, ...k])]);
  const swapped = ctx.op("Transpose", [split], { perm: [0, 2, 1, ...k.map((_, i) => 3 + i)] });
  return ctx.op("Reshape", [swapped, ctx.int64s([groups * cg, o / groups, ...k])]);
}

/** ConvTranspose's pads and output_padding for this transposed convolution, or null when it has none. */
function convTransposeFit(strides: readonly number[], dilation: readonly number[], padding: readonly (readonly number[])[], kernel: readonly number[], lhsDilation: readonly number[]): { pads: number[]; outputPadding: number[] } | null {
  if (strides.some((s) => s !== 1)) return null;
  const full = kernel.map((k, i) => dilation[i] * (k - 1));
  if (padding.some(([lo], i) => lo < 0 || lo > full[i])) return null;
  const end = padding.map(([, hi], i) => full[i] - hi);
  // onnxruntime wants output_padding below the stride or the dilation.
  if (end.some((e, i) => e < 0 && -e >= Math.max(lhsDilation[i], dilation[i]))) return null;
  return { pads: [...padding.map(([lo], i) => full[i] - lo), ...end.map((e) => Math.max(0, e))], outputPadding: end.map((e) => Math.max(0, -e)) };
}

export const convGeneralDilatedRule: LoweringRule = {
  primitive: "conv_general_dilated",
  onnxOps: ["Transpose", "Conv", "ConvTranspose", "Pad", "Unsqueeze", "Reshape", "Slice"],
  lower: (ctx) => lowerConvGeneralDilated(ctx, ctx.input(0), ctx.input(1)),
};

/** The convolution of two real values with the eqn's params (complex rules call it on parts). */
export function lowerConvGeneralDilated(ctx: LoweringContext, lhs: Value, rhs: Value): Value {
  const p = ctx.params;
  const dn = p.structFields("dimension_numbers", "ConvDimensionNumbers");
  const [lhsSpec, rhsSpec, outSpec] = [dn.ints("lhs_spec"), dn.ints("rhs_spec"), dn.ints("out_spec")];
  const lhsDilation = p.ints("lhs_dilation");
  const batchGroups = p.int("batch_group_count");
  const padding = p.tuple("padding").map((_, i) => p.ints("padding", i));
  const toLayout = (v: Value, perm: readonly number[]): Value => (isIdentityPerm(perm) ? v : ctx.op("Transpose", [v], { perm }));
  let x = toLayout(lhs, lhsSpec);
  const w = toLayout(rhs, rhsSpec);
  const kernel = w.type.shape.slice(2).map((d) => (typeof d === "number" ? d : ctx.fail("kernel spatial dims must be static")));
  // onnxruntime has no float64 ConvTranspose kernel: float64 takes the dilate-then-Conv path,
  // whose Conv the float64 kernel-gap rewrite (src/core/lower/kernel-gaps.ts) handles.
  const fit = lhsDilation.some((d) => d > 1) && batchGroups === 1 && x.type.dtype !== "float64" ? convTransposeFit(p.ints("window_strides"), p.ints("rhs_dilation"), padding, kernel, lhsDilation) : null;
  if (fit) {
    const groups = p.int("feature_group_count");
    const type = { dtype: x.type.dtype, shape: outSpec.map((d) => ctx.outAval().shape[d]) };
    const y = ctx.op("ConvTranspose", [x, transposedKernel(ctx, w, groups)], {
      strides: lhsDilation,
      dilations: p.ints("rhs_dilation"),
      pads: fit.pads,
      ...(fit.outputPadding.some((q) => q > 0) ? { output_padding: fit.outputPadding } : {}),
      group: groups,
      kernel_shape: kernel,
    }, { types: [type] });
    return toLayout(y, inversePerm(outSpec));
  }
  const zero = ctx.scalar(0, x.type.dtype);
  lhsDilation.forEach((d, i) => {
    if (d > 1) x = dilateAxis(ctx, x, zero, 2 + i, d - 1);
  });
  let pads = [...padding.map(([lo]) => lo), ...padding.map(([, hi]) => hi)];
  if (lhsDilation.some((d) => d > 1) || pads.some((q) => q < 0)) {
    // Pad / crop the dilated input, so Conv's own pads stay zero.
    x = padEnds(ctx, x, zero, [0, 0, ...padding.map(([lo]) => lo)], [0, 0, ...padding.map(([, hi]) => hi)]);
    pads = pads.map(() => 0);
  }
  if (batchGroups > 1) x = batchGroupsToChannels(ctx, x, batchGroups);
  const y = ctx.op("Conv", [x, w], {
    strides: p.ints("window_strides"),
    dilations: p.ints("rhs_dilation"),
    pads,
    group: batchGroups > 1 ? batchGroups : p.int("feature_group_count"),
    kernel_shape: kernel,
  });
  return toLayout(y, inversePerm(outSpec));
}
