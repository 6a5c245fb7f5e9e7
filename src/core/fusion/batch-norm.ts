/**
 * An inference BatchNorm that cannot fold into a preceding MatMul/Gemm/Conv (fold-affine.ts) as
 * one ONNX BatchNormalization (opset 15 semantics, inference: `training_mode` 0):
 *   Y = (X - input_mean) / sqrt(input_var + epsilon) * scale + B, channel axis 1, the four
 *   parameters of shape [C].
 * Flax NNX and Linen BatchNorm (`_normalize`) compute `(x - mean) * (rsqrt(var + eps) * scale)
 * + bias` with the statistics reshaped to broadcast along the feature axis; the rule matches
 * `Add(Mul(Sub(x, mean), s), bias)` with every parameter one value per channel on axis 1 (the
 * NHWC feature axis reaches axis 1 after sink-transposes moved the BatchNorm into the Conv's
 * NCHW, and is axis 1 of a rank-2 [N, C] input). It applies where the fold does not: after a
 * non-linear op (Conv -> Relu -> BatchNorm), on a graph input, or inside an ONNX function whose
 * weights are function inputs. The scale is read back into scale, var and epsilon when it is
 * spelled out (`rsqrt(var + eps) [* gamma]`); a scale folded to one constant is passed as the
 * scale with var 1 and epsilon 0, which is exact (sqrt(1) = 1). bench/activation_forms.py: one
 * BatchNormalization runs in 0.52-0.80x of the Sub/Mul/Add time in onnxruntime 1.32, 1 thread
 * (8x32x32x32, 2x8x6x6, 100x256; docs/fusions.md).
 */
import { staticSize } from "../ir/dims";
import { attr, isKnown, knownScalar, knownValues, type Value } from "../ir/ir";
import { onChannelAxis } from "./channel-constants";
import { producer, rsqrtOf, scalarValue, throughReshapes } from "./graph-reading";
import { op, orderByProducer, v, type Bindings } from "./pattern";
import { reject, type FusionContext, type FusionRule } from "./rule";

/** Whether fold-affine.ts folds a BatchNorm with constant statistics on `x` into x's producer: a MatMul, Gemm or Conv, or a bias added to one. */
function foldsInto(x: Value): boolean {
  const n = x.producer;
  if (!n || n.domain !== "") return false;
  if (["MatMul", "Gemm", "Conv"].includes(n.op)) return true;
  if (n.op !== "Add" || !n.inputs[0] || !n.inputs[1]) return false;
  const [a, b] = n.inputs;
  const [computed, bias] = isKnown(b) ? [a, b] : isKnown(a) ? [b, a] : [null, null];
  return computed !== null && bias !== null && !isKnown(computed) && foldsInto(computed);
}

interface BatchNormParts {
  readonly x: Value;
  readonly channels: number;
  readonly mean: Value;
  readonly shift: Value;
  /** `rsqrt(var + eps) * gamma` read back, or null for a scale given only as its product. */
  readonly spelled: { readonly variance: Value; readonly epsilon: number; readonly gamma: Value | null } | null;
  readonly scale: Value;
}

/**
 * s = rsqrt(var + eps) or rsqrt(var + eps) * gamma (either order), eps a scalar constant, var and
 * gamma one value per channel (else null: the scale is then passed as it is).
 */
function spelledScale(s: Value, channels: number): BatchNormParts["spelled"] {
  const parts = (r: Value, gamma: Value | null): BatchNormParts["spelled"] => {
    if (gamma && staticSize(gamma.type.shape) !== channels) return null;
    const sum = producer(rsqrtOf(throughReshapes(r)), "Add");
    if (!sum?.inputs[0] || !sum.inputs[1]) return null;
    const [a, b] = sum.inputs;
    const [variance, epsilon] = scalarValue(b) !== null ? [a, scalarValue(b)!] : scalarValue(a) !== null ? [b, scalarValue(a)!] : [null, 0];
    return variance && staticSize(variance.type.shape) === channels ? { variance, epsilon, gamma } : null;
  };
  const mul = producer(s, "Mul");
  if (mul?.inputs[0] && mul.inputs[1]) return parts(mul.inputs[0], mul.inputs[1]) ?? parts(mul.inputs[1], mul.inputs[0]);
  return parts(s, null);
}

function batchNormParts(b: Bindings, ctx: FusionContext): BatchNormParts | { readonly reason: string } {
  orderByProducer(b, "scaled", "Mul");
  const [scaled, shift] = [b.get("scaled")!, b.get("shift")!];
  const mul = producer(scaled, "Mul");
  if (!mul?.inputs[0] || !mul.inputs[1]) return { reason: "not a product plus a shift" };
  const [p, q] = mul.inputs;
  const sub = producer(p, "Sub") ?? producer(q, "Sub");
  const centred = producer(p, "Sub") ? p : q;
  const scale = centred === p ? q : p;
  if (!sub?.inputs[0] || !sub.inputs[1]) return { reason: "the product does not scale a difference x - mean" };
  const [x, mean] = sub.inputs;
  const rank = x.type.shape.length;
  const channels = x.type.shape[1];
  if (rank < 2 || typeof channels !== "number") return { reason: "the input has no static channel axis 1 (BatchNormalization's)" };
  for (const [name, value] of [["mean", mean], ["scale", scale], ["shift", shift]] as const) {
    if (!onChannelAxis(value, channels, 1, rank)) return { reason: `the ${name} ${value.type.shape.join("x") || "scalar"} is not one value per channel on axis 1` };
    // A one-element parameter broadcasts to every channel; only a constant one can be widened here.
    const perChannelCount = value.type.shape.includes(channels) || channels === 1;
    if (!perChannelCount && knownScalar(value) === null) return { reason: `the ${name} is one computed value for all channels` };
  }
  if (ctx.readers(scaled) !== 1 || ctx.readers(centred) !== 1) return { reason: "an intermediate of the BatchNorm is read elsewhere too" };
  const held = [mean, scale, shift].every((value) => isKnown(value));
  if (held && foldsInto(x)) return { reason: `folds into the preceding ${x.producer!.op} instead (fold-affine)` };
  return { x, channels, mean, shift, scale, spelled: spelledScale(scale, channels) };
}

/** `value` as a [C] vector: the [C] tensor behind its reshapes, a new constant, or a Reshape. */
function channelVector(value: Value, channels: number, ctx: FusionContext): Value {
  const source = throughReshapes(value);
  if (source.type.shape.length === 1 && source.type.shape[0] === channels) return source;
  const values = knownValues(value);
  if (values && (values.length === channels || values.length === 1)) return ctx.constant(values.length === channels ? values : new Array<number>(channels).fill(values[0]), value.type.dtype, [channels]);
  return ctx.node("Reshape", [value, ctx.constant([channels], "int64", [1])], {}, { dtype: value.type.dtype, shape: [channels] });
}

const ones = (channels: number, like: Value, ctx: FusionContext): Value => ctx.constant(new Array<number>(channels).fill(1), like.type.dtype, [channels]);

export const batchNormalization: FusionRule = {
  name: "batch_normalization",
  // Opset 15 is BatchNormalization's current definition (scale/B may differ in type from X).
  minOpset: 15,
  pattern: op("Add", v("scaled"), v("shift")),
  check(b, ctx) {
    const parts = batchNormParts(b, ctx);
    return "reason" in parts ? reject(parts.reason) : true;
  },
  rewrite(b, ctx) {
    const parts = batchNormParts(b, ctx) as BatchNormParts;
    const { x, channels, spelled } = parts;
    const vec = (value: Value): Value => channelVector(value, channels, ctx);
    const [scale, variance, epsilon] = spelled
      ? [spelled.gamma ? vec(spelled.gamma) : ones(channels, x, ctx), vec(spelled.variance), spelled.epsilon]
      : [vec(parts.scale), ones(channels, x, ctx), 0];
    return { op: "BatchNormalization", inputs: [x, scale, vec(parts.shift), vec(parts.mean), variance], attrs: { epsilon: attr.float(epsilon) } };
  },
};
