/**
 * lax.conv_general_dilated -> ONNX Conv, which wants NCHW input and OIHW kernels.
 * `dimension_numbers` (ConvDimensionNumbers) give, for input, kernel and output, the position of
 * each logical dim: lhs_spec = (batch, feature, spatial...), rhs_spec = (out feature, in feature,
 * spatial...), out_spec = (batch, feature, spatial...). So Transpose(x, lhs_spec) is NCHW,
 * Transpose(w, rhs_spec) is OIHW (folded into the weight by fold-initializer-transpose, so a
 * Flax HWIO kernel is stored as OIHW), and the result goes back with out_spec's inverse.
 * Layout stays JAX's at the graph's edges; the NCHW round trips between ops are a later pass's job.
 */
import { inversePerm, isIdentityPerm, type LoweringContext, type LoweringRule, type Value } from "../../src/core";


export const convGeneralDilatedRule: LoweringRule = {
  primitive: "conv_general_dilated",
  onnxOps: ["Transpose", "Conv"],
  lower: (ctx) => lowerConvGeneralDilated(ctx, ctx.input(0), ctx.input(1)),
};

/** The convolution of two real values with the eqn's params (complex rules call it on parts). */
export function lowerConvGeneralDilated(ctx: LoweringContext, lhs: Value, rhs: Value): Value {
  const p = ctx.params;
  const dn = p.structFields("dimension_numbers", "ConvDimensionNumbers");
  const [lhsSpec, rhsSpec, outSpec] = [dn.ints("lhs_spec"), dn.ints("rhs_spec"), dn.ints("out_spec")];
  if (p.ints("lhs_dilation").some((d) => d !== 1)) ctx.fail("lhs_dilation != 1 (a transposed convolution) is not supported yet");
  if (p.int("batch_group_count") !== 1) ctx.fail("batch_group_count != 1 is not supported");
  const padding = p.tuple("padding").map((_, i) => p.ints("padding", i));
  if (padding.some(([lo, hi]) => lo < 0 || hi < 0)) ctx.fail("negative padding is not supported");
  const toLayout = (v: Value, perm: readonly number[]): Value => (isIdentityPerm(perm) ? v : ctx.op("Transpose", [v], { perm }));
  const x = toLayout(lhs, lhsSpec);
  const w = toLayout(rhs, rhsSpec);
  const y = ctx.op("Conv", [x, w], {
    strides: p.ints("window_strides"),
    dilations: p.ints("rhs_dilation"),
    pads: [...padding.map(([lo]) => lo), ...padding.map(([, hi]) => hi)],
    group: p.int("feature_group_count"),
    kernel_shape: w.type.shape.slice(2).map((d) => (typeof d === "number" ? d : ctx.fail("kernel spatial dims must be static"))),
  });
  return toLayout(y, inversePerm(outSpec));
}
