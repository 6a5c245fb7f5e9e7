/**
 * BatchNorm in inference, `(h - mean) * (gamma / sqrt(var + eps)) + beta`, after constant folding
 * is an affine map `h * s + k` with per-channel constants; when h is a MatMul, Gemm or Conv the
 * map folds into that op's weight and bias, so no node is left of the BatchNorm. Rules:
 *  1. `affine_distribute`: Mul(Add|Sub(h, k), s) -> Add(Mul(h, s), ±k*s), k and s constants,
 *     h made by MatMul, Gemm, Conv or an Add (a bias): moves the scale next to the linear op.
 *  2. `add_constants`: Add(Add(h, k1), k2) -> Add(h, k1 + k2) for constants of one shape class.
 *  3. `scale_into_weights`: Mul(MatMul(x, W), s), Mul(Gemm(x, W, C), s) or Mul(Conv(x, W, B), s)
 *     with s one value per output channel -> the op on W * s (and C * s, B * s). The product is
 *     a helper Mul: constant folding evaluates it when the converter holds W; for weights the
 *     host holds it stays a node on an initializer, which onnxruntime folds when it loads the
 *     model (its constant folding runs on initializer-only subgraphs), so the weight bytes never
 *     pass through the converter.
 * Every rewrite needs the intermediate read only by the rewritten node (nothing is duplicated).
 */
import { broadcastShapes } from "./shapes";
import { isKnown, knownValues, type Node, type Value } from "../ir/ir";
import { op, v } from "./pattern";
import { perChannel } from "./channel-constants";
import { convChannels } from "./conv-bias";
import { reject, type CheckResult, type FusionContext, type FusionRule } from "./rule";

const LINEAR = new Set(["MatMul", "Gemm", "Conv", "Add"]);

function elementwise(a: readonly number[], aShape: readonly number[], bv: readonly number[], bShape: readonly number[], f: (x: number, y: number) => number): { values: number[]; shape: number[] } | null {
  const shape = broadcastShapes(aShape, bShape);
  if (!shape) return null;
  const size = shape.reduce((p, q) => p * q, 1);
  const index = (vals: readonly number[], s: readonly number[], flat: number): number => {
    let rest = flat;
    let at = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
      const k = d - (shape.length - s.length);
      if (k >= 0) {
        if (s[k] !== 1) at += i * stride;
        stride *= s[k];
      }
    }
    return vals[at];
  };
  const values = Array.from({ length: size }, (_, i) => f(index(a, aShape, i), index(bv, bShape, i)));
  return { values, shape };
}

const staticShape = (x: Value): number[] | null => (x.type.shape.every((d): d is number => typeof d === "number") ? (x.type.shape as number[]) : null);

/** f(a, b) elementwise with broadcasting, on constants the converter holds; null otherwise. */
function combined(a: Value, b: Value, f: (x: number, y: number) => number): { values: number[]; shape: number[] } | null {
  const [av, bv, as, bs] = [knownValues(a), knownValues(b), staticShape(a), staticShape(b)];
  if (!av || !bv || !as || !bs) return null;
  return elementwise(av, as, bv, bs, f);
}

/** f(a, b) as a new constant, named after `a` when the rewrite makes `a` dead. */
function combine(ctx: FusionContext, a: Value, b: Value, f: (x: number, y: number) => number): Value {
  const out = combined(a, b, f)!;
  return ctx.constant(out.values, a.type.dtype, out.shape, a);
}

/** A binary node's inputs as [computed, constant], or null when it is not one of each. */
function computedAndConstant(n: Node): [Value, Value] | null {
  const [a, b] = n.inputs;
  if (!a || !b || n.inputs.length !== 2) return null;
  if (isKnown(b) && !isKnown(a)) return [a, b];
  if (isKnown(a) && !isKnown(b)) return [b, a];
  return null;
}

export const affineDistribute: FusionRule = {
  name: "affine_distribute",
  minOpset: 1,
  pattern: op("Mul", v("p"), v("q")),
  check(_b, ctx) {
    const split = computedAndConstant(ctx.root);
    if (!split) return reject("not a computed value times a constant");
    const [sum, s] = split;
    const n = sum.producer;
    if ((n?.op !== "Add" && n?.op !== "Sub") || n.domain !== "") return reject("the scaled value is not a sum");
    if (ctx.readers(sum) !== 1) return reject("the sum is read elsewhere too");
    const [h, k] = n.inputs as Value[];
    if (!k || !isKnown(k) || isKnown(h)) return reject("the sum does not add a constant to a computed value");
    if (!h.producer || !LINEAR.has(h.producer.op)) return reject("nothing linear to fold the scale into");
    return combined(k, s, (x, y) => x * y) ? true : reject("the constants do not broadcast");
  },
  rewrite(_b, ctx) {
    const [sum, s] = computedAndConstant(ctx.root)!;
    const n = sum.producer!;
    const [h, k] = n.inputs as Value[];
    const sign = n.op === "Sub" ? -1 : 1;
    const ks = combine(ctx, k, s, (x, y) => sign * x * y);
    const scaled = ctx.node("Mul", [h, s], {}, { dtype: h.type.dtype, shape: sum.type.shape });
    return { op: "Add", inputs: [scaled, ks], attrs: {} };
  },
};

export const addConstants: FusionRule = {
  name: "add_constants",
  minOpset: 1,
  pattern: op("Add", v("p"), v("q")),
  check(_b, ctx) {
    const split = computedAndConstant(ctx.root);
    if (!split) return reject("not a computed value plus a constant");
    const [inner, k2] = split;
    if (inner.producer?.op !== "Add" || inner.producer.domain !== "") return reject("the computed value is not a sum");
    const innerSplit = computedAndConstant(inner.producer);
    if (!innerSplit) return reject("the inner sum does not add a constant");
    if (ctx.readers(inner) !== 1) return reject("the inner sum is read elsewhere too");
    return combined(innerSplit[1], k2, (x, y) => x + y) ? true : reject("the constants do not broadcast");
  },
  rewrite(_b, ctx) {
    const [inner, k2] = computedAndConstant(ctx.root)!;
    const [h, k1] = computedAndConstant(inner.producer!)!;
    return { op: "Add", inputs: [h, combine(ctx, k1, k2, (x, y) => x + y)], attrs: {} };
  },
};

interface Target {
  readonly node: Node;
  readonly channels: number;
  readonly channelAxis: number;
}

function target(x: Value): Target | null {
  const n = x.producer;
  if (!n || n.domain !== "") return null;
  if (n.op === "Conv") {
    const c = convChannels(n.inputs[1]);
    return c === null ? null : { node: n, channels: c, channelAxis: 1 };
  }
  if (n.op === "MatMul" || n.op === "Gemm") {
    const w = n.inputs[1];
    if (!w || w.type.shape.length !== 2) return null;
    if (n.op === "Gemm" && ((n.attrs.alpha?.value ?? 1) !== 1 || (n.attrs.beta?.value ?? 1) !== 1)) return null;
    const transB = n.op === "Gemm" && n.attrs.transB?.value === 1;
    const c = w.type.shape[transB ? 0 : 1];
    return typeof c === "number" ? { node: n, channels: c, channelAxis: x.type.shape.length - 1 } : null;
  }
  return null;
}

function scaleCheck(x: Value, s: Value, ctx: FusionContext): CheckResult {
  const t = target(x);
  if (!t) return reject("not a MatMul, Gemm or Conv with static output channels");
  if (ctx.readers(x) !== 1) return reject("its result is read elsewhere too");
  return perChannel(s, t.channels, t.channelAxis, x.type.shape.length) ? true : reject(`the scale ${s.type.shape.join("x")} is not one constant per output channel`);
}

export const scaleIntoWeights: FusionRule = {
  name: "scale_into_weights",
  minOpset: 1,
  pattern: op("Mul", v("p"), v("q")),
  check(_b, ctx) {
    const split = computedAndConstant(ctx.root);
    return split ? scaleCheck(split[0], split[1], ctx) : reject("not a computed value times a constant");
  },
  rewrite(_b, ctx) {
    const [x, s] = computedAndConstant(ctx.root)!;
    const { node, channels, channelAxis } = target(x)!;
    const perCh = perChannel(s, channels, channelAxis, x.type.shape.length)!;
    const w = node.inputs[1]!;
    const dtype = w.type.dtype;
    const transB = node.op === "Gemm" && node.attrs.transB?.value === 1;
    // W's output-channel axis: Conv OIHW -> 0; MatMul/Gemm [K,N] -> 1, transposed [N,K] -> 0.
    const wAxis = node.op === "Conv" || transB ? 0 : 1;
    const wScaleShape = w.type.shape.map((_, i) => (i === wAxis ? channels : 1));
    // The scaled weight takes over the weight's name when nothing else reads the weight.
    const keepName = w.tensor !== null && ctx.readers(w) === 1 ? ctx.takeName(w) : undefined;
    const weight = ctx.node("Mul", [w, ctx.constant(perCh, dtype, wScaleShape)], {}, w.type, keepName);
    const inputs = [node.inputs[0], weight];
    const bias = node.inputs[2] ?? null;
    if (bias) {
      const flat = ctx.constant(perCh, dtype, bias.type.shape.length === 1 ? [channels] : bias.type.shape.map((d, i) => (i === bias.type.shape.length - 1 ? channels : 1)));
      const keepBias = bias.tensor !== null && ctx.readers(bias) === 1 ? ctx.takeName(bias) : undefined;
      inputs.push(ctx.node("Mul", [bias, flat], {}, bias.type, keepBias));
    }
    return { op: node.op, inputs, attrs: node.attrs, like: node };
  },
};

export const AFFINE_RULES: readonly FusionRule[] = [affineDistribute, addConstants, scaleIntoWeights];
