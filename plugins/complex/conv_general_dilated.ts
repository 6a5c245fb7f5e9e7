/**
 * Complex lax.conv_general_dilated (the registry's complex table, docs/complex.md): convolution
 * is bilinear, so it is four real convolutions of the parts, (xr*wr - xi*wi) + i (xr*wi + xi*wr),
 * each lowered by the real rule (layouts, padding, groups as there).
 */
import { ComplexMath, componentDtype, isComplex, type LoweringRule, type Parts } from "../../src/core";
import { lowerConvGeneralDilated } from "../lax/conv_general_dilated";

export const complexConvGeneralDilatedRule: LoweringRule = {
  primitive: "conv_general_dilated",
  onnxOps: ["Gather", "Transpose", "Conv", "Sub", "Add", "Unsqueeze", "Concat"],
  lower(ctx) {
    const m = new ComplexMath(ctx, componentDtype(ctx.outAval().dtype));
    const parts = [0, 1].map((i): Parts => (isComplex(ctx.inAval(i).dtype) ? m.split(ctx.input(i)) : { re: ctx.input(i), im: null }));
    return m.pack(m.bilinear(parts[0], parts[1], (x, w) => lowerConvGeneralDilated(ctx, x, w)));
  },
};
