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
 * eqx.nn.ConvTranspose) is lhs_dilation > 1: the input is dilated with zeros explicitly
 * (plugins/shared/dilate.ts) and convolved, an exact equivalent of ConvTranspose that needs no
 * kernel flip or output_padding arithmetic (it spends the multiplications by the inserted zeros).
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

export const convGeneralDilatedRule: LoweringRule = {
  primitive: "conv_general_dilated",
  onnxOps: ["Transpose", "Conv", "Pad", "Unsqueeze", "Reshape", "Slice"],
  lower(ctx) {
    const p = ctx.params;
    const dn = p.structFields("dimension_numbers", "ConvDimensionNumbers");
    const [lhsSpec, rhsSpec, outSpec] = [dn.ints("lhs_spec"), dn.ints("rhs_spec"), dn.ints("out_spec")];
    const lhsDilation = p.ints("lhs_dilation");
    const batchGroups = p.int("batch_group_count");
    const padding = p.tuple("padding").map((_, i) => p.ints("padding", i));
    const toLayout = (v: Value, perm: readonly number[]): Value => (isIdentityPerm(perm) ? v : ctx.op("Transpose", [v], { perm }));
    let x = toLayout(ctx.input(0), lhsSpec);
    const w = toLayout(ctx.input(1), rhsSpec);
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
      kernel_shape: w.type.shape.slice(2).map((d) => (typeof d === "number" ? d : ctx.fail("kernel spatial dims must be static"))),
    });
    return toLayout(y, inversePerm(outSpec));
  },
};
