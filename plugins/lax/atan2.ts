/**
 * lax.atan2(x, y): the angle of the point (y, x), in [-pi, pi]. ONNX has no Atan2: atan(x / y),
 * moved by pi into the left half plane (y's sign bit set, so y = -0 counts as left), with the
 * cases the quotient loses written out as C99 atan2 (Annex F.9.1.4) defines them:
 * x = +-0 gives +-0 or +-pi by y's sign bit (NaN for NaN y), and x, y both infinite give +-pi/4 or +-3pi/4.
 */
import { type LoweringRule, type Value } from "../../src/core";
import { signBit, withSign } from "./float_bits";

export const atan2Rule: LoweringRule = {
  primitive: "atan2",
  onnxOps: ["Atan", "Div", "Add", "Where", "Less", "Equal", "IsInf", "Reciprocal"],
  lower(ctx) {
    const [x, y] = ctx.inputs();
    const dtype = x.type.dtype;
    const k = (v: number): Value => ctx.scalar(v, dtype);
    const pick = (c: Value, a: Value, b: Value): Value => ctx.op("Where", [c, a, b]);
    const xNeg = signBit(ctx, x);
    const left = signBit(ctx, y);
    const signedPi = (magnitude: number): Value => pick(xNeg, k(-magnitude), k(magnitude));
    const base = ctx.op("Atan", [ctx.op("Div", [x, y])]);
    const general = pick(left, ctx.op("Add", [base, signedPi(Math.PI)]), base);
    const onAxis = pick(left, signedPi(Math.PI), x);
    const corners = pick(left, signedPi((3 * Math.PI) / 4), signedPi(Math.PI / 4));
    const bothInf = ctx.op("And", [ctx.op("IsInf", [x]), ctx.op("IsInf", [y])]);
    const onXAxis = ctx.op("And", [ctx.op("Equal", [x, k(0)]), ctx.op("Not", [ctx.op("IsNaN", [y])])]);
    const angle = pick(onXAxis, onAxis, pick(bothInf, corners, general));
    // The result has x's sign bit (atan2(-0, y > 0) is -0), set by withSign: Where may drop a -0.
    return withSign(ctx, ctx.op("Abs", [angle]), xNeg);
  },
};
