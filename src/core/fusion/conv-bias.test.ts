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
