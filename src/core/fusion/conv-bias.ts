/**
 * `conv_bias`: Add(Conv(x, W[, b]), c) with c a per-output-channel constant ([1,C,1,1], [C,1,1]
 * or a scalar) -> Conv(x, W, b + c), c flattened to [C] (Conv's optional input B, opset 1+).
 * onnxruntime fuses Conv with a following Relu/Clip only when the bias is inside the Conv.
 */
import type { Value } from "../ir/ir";
import { op, orderByProducer, v } from "./pattern";
import { perChannel } from "./channel-constants";
import { reject, type FusionRule } from "./rule";

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
    orderByProducer(b, "conv", "Conv");
    const conv = b.get("conv")!.producer;
    if (conv?.op !== "Conv" || conv.domain !== "") return reject("not a Conv");
    if (ctx.readers(b.get("conv")!) !== 1) return reject("the Conv's result is read elsewhere too");
    const channels = convChannels(conv.inputs[1]);
    if (channels === null) return reject("the Conv's output channels are not static");
    const rank = b.get("conv")!.type.shape.length;
    return perChannel(b.get("c")!, channels, 1, rank) ? true : reject(`the added value ${b.get("c")!.type.shape.join("x")} is not a constant with one value per output channel`);
  },
  rewrite(b, ctx) {
    const conv = b.get("conv")!.producer!;
    const c = b.get("c")!;
    const channels = convChannels(conv.inputs[1])!;
    const flat = ctx.constant(perChannel(c, channels, 1, b.get("conv")!.type.shape.length)!, c.type.dtype, [channels], c);
    const old = conv.inputs[2] ?? null;
    const bias = old ? ctx.node("Add", [old, flat], {}, { dtype: c.type.dtype, shape: [channels] }) : flat;
    return { op: "Conv", inputs: [conv.inputs[0], conv.inputs[1], bias], attrs: conv.attrs, like: conv };
  },
};
