/**
 * Linear layers as one Gemm (opset 13 semantics: C optional, unidirectional broadcast):
 *  1. `gemm`: Add(MatMul(A, B), C) with A, B rank 2 and C a constant of shape [N] or [1,N] ->
 *     Gemm(A, B, C). A Transpose([1,0]) in front of A or B folds into transA / transB.
 *  2. `gemm_bias`: Add(Gemm(A, B, C), D) with D such a constant -> Gemm(A, B, C + D) (a helper
 *     Add that constant folding evaluates).
 * onnxruntime fuses Gemm+Relu and picks its fastest kernel for it; node count drops by one.
 */
import { isKnown, type Node, type Value } from "../ir/ir";
import { op, v } from "./pattern";
import { perChannel } from "./channel-constants";
import { soleOperandProducer } from "./graph-reading";
import { reject, type CheckResult, type FusionContext, type FusionRule } from "./rule";

const isTranspose2d = (n: Node | null): boolean => n?.op === "Transpose" && n.domain === "" && n.attrs.perm?.type === "ints" && n.attrs.perm.value.join() === "1,0";

function columnsOf(b: Value, transB: boolean): number | null {
  const d = b.type.shape[transB ? 0 : 1];
  return typeof d === "number" ? d : null;
}

/** A computed bias (a function's weight input): one of shape [N] or [1, N], else null. */
function rowBias(bias: Value, n: number): Value | null {
  const s = bias.type.shape;
  if (s.length === 1 && s[0] === n) return bias;
  if (s.length === 2 && s[0] === 1 && s[1] === n) {
    // A [N] value reshaped to [1, N]: Gemm broadcasts the [N] itself.
    const r = bias.producer;
    const src = r?.op === "Reshape" && r.domain === "" ? r.inputs[0] : null;
    return src && src.type.shape.length === 1 && src.type.shape[0] === n ? src : bias;
  }
  return null;
}

function biasCheck(bias: Value, n: number | null): CheckResult {
  if (n === null) return reject("the number of output columns is not static");
  if (!isKnown(bias)) return rowBias(bias, n) ? true : reject(`the added value ${bias.type.shape.join("x")} is not one value per output column (${n})`);
  return perChannel(bias, n, 1, 2) ? true : reject(`the added constant ${bias.type.shape.join("x")} is not one value per output column (${n})`);
}

/** Unwraps a sole-reader Transpose([1,0]) in front of a Gemm operand into the trans flag. */
function operand(value: Value, ctx: FusionContext): [Value, boolean] {
  const p = value.producer;
  if (isTranspose2d(p) && ctx.readers(value) === 1 && p!.inputs[0]) return [p!.inputs[0], true];
  return [value, false];
}

export const gemm: FusionRule = {
  name: "gemm",
  minOpset: 13,
  pattern: op("Add", v("mm"), v("c")),
  check(b, ctx) {
    const mm = soleOperandProducer(b, "mm", "MatMul", ctx);
    if ("reason" in mm) return mm;
    const [a, w] = mm.inputs as Value[];
    if (a.type.shape.length !== 2 || w.type.shape.length !== 2) return reject("Gemm is rank 2; the MatMul is batched");
    return biasCheck(b.get("c")!, columnsOf(w, false));
  },
  rewrite(b, ctx) {
    const mm = b.get("mm")!.producer!;
    const [a, transA] = operand(mm.inputs[0]!, ctx);
    const [w, transB] = operand(mm.inputs[1]!, ctx);
    const c = b.get("c")!;
    const bias = isKnown(c) ? c : rowBias(c, columnsOf(mm.inputs[1]!, false)!)!;
    return { op: "Gemm", like: mm, inputs: [a, w, bias], attrs: { ...(transA ? { transA: { type: "int", value: 1 } } : {}), ...(transB ? { transB: { type: "int", value: 1 } } : {}) } };
  },
};

export const gemmBias: FusionRule = {
  name: "gemm_bias",
  minOpset: 13,
  pattern: op("Add", v("gemm"), v("d")),
  check(b, ctx) {
    const g = soleOperandProducer(b, "gemm", "Gemm", ctx);
    if ("reason" in g) return g;
    if ((g.attrs.beta?.value ?? 1) !== 1) return reject("Gemm beta != 1");
    if (!isKnown(b.get("d"))) return reject("the added value is not a constant the converter holds");
    return biasCheck(b.get("d")!, columnsOf(g.inputs[1]!, g.attrs.transB?.value === 1));
  },
  rewrite(b, ctx) {
    const g = b.get("gemm")!.producer!;
    const d = b.get("d")!;
    const c = g.inputs[2] ?? null;
    const n = columnsOf(g.inputs[1]!, g.attrs.transB?.value === 1)!;
    const flat = ctx.constant(perChannel(d, n, 1, 2)!, d.type.dtype, [n], d);
    const sum = c ? ctx.node("Add", [c, flat], {}, { dtype: d.type.dtype, shape: c.type.shape.length === 2 ? c.type.shape : [n] }) : flat;
    return { op: "Gemm", inputs: [g.inputs[0], g.inputs[1], sum], attrs: g.attrs, like: g };
  },
};

export const GEMM_RULES: readonly FusionRule[] = [gemm, gemmBias];
