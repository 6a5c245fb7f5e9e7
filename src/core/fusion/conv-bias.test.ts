import { GraphBuilder } from "../ir/builder";
import { knownValues } from "../ir/ir";
import { fuse } from "./testing";

function conv(c: { values: number[]; shape: number[] }, withBias = false) {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: ["B", 1, 4, 4] });
  const w = b.constant(new Array(2 * 9).fill(0.5), "float32", [2, 1, 3, 3], "w");
  const inputs = withBias ? [x, w, b.constant([100, 200], "float32", [2], "b0")] : [x, w];
  const y = b.op("Conv", inputs, { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  b.graph.outputs.push(b.op("Relu", [b.op("Add", [y, b.constant(c.values, "float32", c.shape, "bias")])]));
  return b;
}

describe("conv_bias", () => {
  test("Add of a per-channel constant ([1,C,1,1]) becomes Conv's bias input, named as the bias", () => {
    const b = conv({ values: [1, 2], shape: [1, 2, 1, 1] });
    expect(fuse(b).ops).toEqual(["Conv", "Relu"]);
    const bias = b.graph.nodes[0].inputs[2]!;
    expect([bias.name, bias.type.shape, knownValues(bias)]).toEqual(["bias", [2], [1, 2]]);
  });

  test("a Conv that has a bias gets the sum", () => {
    const b = conv({ values: [1, 2], shape: [2, 1, 1] }, true);
    expect(fuse(b).ops).toEqual(["Conv", "Relu"]);
    expect(knownValues(b.graph.nodes[0].inputs[2])).toEqual([101, 202]);
  });

  test("a constant that varies along a spatial axis is not a bias", () => {
    const b = conv({ values: [1, 2, 3, 4], shape: [1, 1, 1, 4] });
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Conv", "Add", "Relu"]);
    expect(rejections.find((r) => r.rule === "conv_bias")?.reason).toMatch(/not a constant with one value per output channel/);
  });
});

describe("conv_bias_squeezed and activation_before_layout", () => {
  /** Equinox's Conv2d on one CHW image: a batch of one, squeezed off, + bias [C,1,1], relu. */
  function equinoxConv(bias: number[], biasShape: number[]) {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [1, 4, 4] });
    const w = b.constant(new Array(2 * 9).fill(0.5), "float32", [2, 1, 3, 3], "w");
    const y = b.op("Conv", [b.op("Unsqueeze", [x, b.int64s([0])]), w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    const added = b.op("Add", [b.op("Squeeze", [y, b.int64s([0])]), b.constant(bias, "float32", biasShape, "bias")]);
    b.graph.outputs.push(b.op("Relu", [added]));
    return b;
  }

  test("the bias joins the Conv through the Squeeze, and Relu moves next to the Conv", () => {
    const b = equinoxConv([1, 2], [2, 1, 1]);
    expect(fuse(b).ops).toEqual(["Unsqueeze", "Conv", "Relu", "Squeeze"]);
    const conv = b.graph.nodes.find((n) => n.op === "Conv")!;
    expect(knownValues(conv.inputs[2])).toEqual([1, 2]);
    expect(b.graph.nodes.find((n) => n.op === "Relu")!.inputs[0]).toBe(conv.outputs[0]);
  });

  test("a bias that varies along a spatial axis stays an Add (and Relu stays after it)", () => {
    const b = equinoxConv([1, 2, 3, 4], [1, 4]);
    const { ops, rejections } = fuse(b);
    expect(ops).toEqual(["Unsqueeze", "Conv", "Squeeze", "Add", "Relu"]);
    expect(rejections.find((r) => r.rule === "conv_bias_squeezed")?.reason).toMatch(/not a constant with one value per output channel/);
  });
});
