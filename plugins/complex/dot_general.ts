/**
 * Complex lax.dot_general (the registry's complex table, docs/complex.md): four real contractions
 * of the parts, (ar.br - ai.bi) + i (ar.bi + ai.br), each lowered by the real rule's own path
 * (MatMul, batched MatMul or Einsum); a real operand contributes its one part.
 */
import { ComplexMath, componentDtype, isComplex, type LoweringRule, type Parts } from "../../src/core";
import { lowerDotGeneral } from "../lax/dot_general";

export const complexDotGeneralRule: LoweringRule = {
  primitive: "dot_general",
  onnxOps: ["Gather", "MatMul", "Einsum", "Transpose", "Cast", "Sub", "Add", "Unsqueeze", "Concat"],
  lower(ctx) {
    const dtype = componentDtype(ctx.outAval().dtype);
    const m = new ComplexMath(ctx, dtype);
    const parts = [0, 1].map((i): Parts => (isComplex(ctx.inAval(i).dtype) ? m.split(ctx.input(i)) : { re: ctx.input(i), im: null }));
    return m.pack(m.bilinear(parts[0], parts[1], (a, b) => lowerDotGeneral(ctx, a, b, dtype)));
  },
};
