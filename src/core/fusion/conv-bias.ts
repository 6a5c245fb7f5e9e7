/**
 * `conv_bias`: Add(Conv(x, W[, b]), c) with c a per-output-channel constant ([1,C,1,1], [C,1,1]
 * or a scalar) -> Conv(x, W, b + c), c flattened to [C] (Conv's optional input B, opset 1+).
 * onnxruntime fuses Conv with a following Relu/Clip only when the bias is inside the Conv.
 * `conv_bias_squeezed`: the same through a Squeeze of a unit batch axis 0 (Equinox's Conv runs
 * one CHW image as a batch of one and squeezes it off before adding its [C,1,1] bias):
 * Add(Squeeze(Conv(x, W[, b]), [0]), c) -> Squeeze(Conv(x, W, b + c), [0]).
 */
import type { Node, Value } from "../ir/ir";
import { knownValues } from "../ir/ir";
import { op, orderByProducer, v, type Bindings } from "./pattern";
import { perChannel } from "./channel-constants";
import { soleOperandProducer } from "./graph-reading";
import { reject, type FusionContext, type FusionRule } from "./rule";

/** Output channels of a Conv node's weight (its dim 0), if static. */
export function convChannels(w: Value | null): number | null {
  const d = w?.type.shape[0];
  return typeof d === "number" ? d : null;
}

export const convBias: FusionRule = {
  name: "conv_bias",
  minOpset: 1,
  pattern: op("Add", v("conv"), v("c")),
  check(b, ctx) {
    const conv = soleOperandProducer(b, "conv", "Conv", ctx);
    if ("reason" in conv) return conv;
    const channels = convChannels(conv.inputs[1]);
    if (channels === null) return reject("the Conv's output channels are not static");
    const rank = b.get("conv")!.type.shape.length;
    return perChannel(b.get("c")!, channels, 1, rank) ? true : reject(`the added value ${b.get("c")!.type.shape.join("x")} is not a constant with one value per output channel`);
  },
  rewrite(b, ctx) {
    const conv = b.get("conv")!.producer!;
    return { op: "Conv", inputs: convInputsWithBias(conv, b.get("c")!, 1, b.get("conv")!.type.shape.length, ctx), attrs: conv.attrs, like: conv };
  },
};

/** The Conv's inputs with `c` (per channel along `channelAxis` of a rank-`rank` sum) in its bias. */
function convInputsWithBias(conv: Node, c: Value, channelAxis: number, rank: number, ctx: FusionContext): (Value | null)[] {
  const channels = convChannels(conv.inputs[1])!;
  const flat = ctx.constant(perChannel(c, channels, channelAxis, rank)!, c.type.dtype, [channels], c);
  const old = conv.inputs[2] ?? null;
  const bias = old ? ctx.node("Add", [old, flat], {}, { dtype: c.type.dtype, shape: [channels] }) : flat;
  return [conv.inputs[0], conv.inputs[1], bias];
}

/** The Squeeze's Conv when it squeezes exactly the Conv's unit batch axis, else why not. */
function squeezedConv(b: Bindings, ctx: FusionContext): Node | { readonly reason: string } {
  const squeezed = b.get("squeezed")!;
  const squeeze = squeezed.producer!;
  const conv = squeeze.inputs[0]?.producer;
  if (conv?.op !== "Conv" || conv.domain !== "") return { reason: "not a squeezed Conv" };
  const axes = knownValues(squeeze.inputs[1] ?? null);
  if (axes?.length !== 1 || axes[0] !== 0 || conv.outputs[0].type.shape[0] !== 1) return { reason: "the Squeeze does not drop just the Conv's unit batch axis" };
  if (ctx.readers(conv.outputs[0]) !== 1 || ctx.readers(squeezed) !== 1) return { reason: "the Conv's result is read elsewhere too" };
  return conv;
}

export const convBiasSqueezed: FusionRule = {
  name: "conv_bias_squeezed",
  minOpset: 13,
  pattern: op("Add", v("squeezed"), v("c")),
  check(b, ctx) {
    orderByProducer(b, "squeezed", "Squeeze");
    if (b.get("squeezed")!.producer?.op !== "Squeeze") return reject("not a Squeeze");
    const conv = squeezedConv(b, ctx);
    if ("reason" in conv) return reject(conv.reason);
    const channels = convChannels(conv.inputs[1]);
    if (channels === null) return reject("the Conv's output channels are not static");
    const rank = b.get("squeezed")!.type.shape.length;
    return perChannel(b.get("c")!, channels, 0, rank) ? true : reject(`the added value ${b.get("c")!.type.shape.join("x")} is not a constant with one value per output channel`);
  },
  rewrite(b, ctx) {
    const squeeze = b.get("squeezed")!.producer!;
    const conv = squeezedConv(b, ctx) as Node;
    const inputs = convInputsWithBias(conv, b.get("c")!, 0, b.get("squeezed")!.type.shape.length, ctx);
    const biased = ctx.node("Conv", inputs, conv.attrs, conv.outputs[0].type);
    return { op: "Squeeze", inputs: [biased, squeeze.inputs[1]!], attrs: {} };
  },
};
