/**
 * `activation_before_layout`: Act(L(y)) -> L(Act(y)), with y the output of a Conv or Gemm, L a
 * layout-only op (Squeeze, Unsqueeze, Reshape, Identity; Transpose too) and Act an elementwise
 * activation. An elementwise op commutes with any op that only moves elements. onnxruntime fuses
 * Conv (and Gemm) with an activation only when the activation reads the Conv itself
 * (ConvActivationFusion: Relu, LeakyRelu, Sigmoid, Tanh, HardSigmoid, Clip), and Equinox's Conv
 * squeezes its batch of one off right after the Conv. The activation's other inputs (Clip's
 * scalar bounds) and attributes (LeakyRelu's alpha) go with it.
 */
import { op, v } from "./pattern";
import { reject, type FusionRule } from "./rule";

const LAYOUT_OPS = ["Squeeze", "Unsqueeze", "Reshape", "Identity", "Transpose"];
const FUSING_PRODUCERS = new Set(["Conv", "Gemm"]);

/** Each activation with the input count it has in our graphs. */
const ACTIVATIONS: readonly (readonly [string, number])[] = [
  ["Relu", 1],
  ["LeakyRelu", 1],
  ["Sigmoid", 1],
  ["Tanh", 1],
  ["HardSigmoid", 1],
  ["Clip", 3],
];

const activationBeforeLayout = (act: string, arity: number): FusionRule => ({
  name: "activation_before_layout",
  minOpset: 1,
  pattern: op(act, v("moved"), ...Array.from({ length: arity - 1 }, (_, i) => v(`arg${i + 1}`))),
  check(b, ctx) {
    const moved = b.get("moved")!;
    const layout = moved.producer;
    if (!layout || layout.domain !== "" || !LAYOUT_OPS.includes(layout.op) || !layout.inputs[0]) return reject("the activation does not read a layout op");
    const y = layout.inputs[0];
    if (!y.producer || !FUSING_PRODUCERS.has(y.producer.op) || y.producer.domain !== "") return reject("the layout op does not read a Conv or Gemm (nothing to fuse the activation with)");
    if (ctx.readers(y) !== 1 || ctx.readers(moved) !== 1) return reject("the Conv/Gemm or the layout op's result is read elsewhere too");
    return true;
  },
  rewrite(b, ctx) {
    const layout = b.get("moved")!.producer!;
    const y = layout.inputs[0]!;
    const root = ctx.root;
    const activated = ctx.node(act, [y, ...root.inputs.slice(1)], root.attrs, { dtype: root.outputs[0].type.dtype, shape: y.type.shape });
    return { op: layout.op, inputs: [activated, ...layout.inputs.slice(1)], attrs: layout.attrs };
  },
});

export const ACTIVATION_ORDER_RULES: readonly FusionRule[] = ACTIVATIONS.map(([act, arity]) => activationBeforeLayout(act, arity));
