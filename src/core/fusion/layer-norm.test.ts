import { GraphBuilder } from "../ir/builder";
import { fuse } from "./testing";

/** nnx.LayerNorm as our rules lower it: fast variance, keepdims by Reshape, rsqrt as 1/sqrt. */
function layerNorm(opts: { lastAxis?: boolean; rms?: boolean } = {}) {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: ["B", 4, 8] });
  const axis = opts.lastAxis === false ? 1 : 2;
  const n = opts.lastAxis === false ? 4 : 8;
  const keep = opts.lastAxis === false ? ["B", 1, 8] : ["B", 4, 1];
  const mean = (v: ReturnType<typeof b.op>) => b.op("Div", [b.op("ReduceSum", [v, b.int64s([axis])], { keepdims: 0 }), b.scalar(n, "float32")]);
  const keepdims = (v: ReturnType<typeof b.op>) => b.op("Reshape", [v, b.int64s([0, 0, 0].map((_, i) => (i === axis ? 1 : 0)))], {}, { types: [{ dtype: "float32", shape: keep }] });
  const scale = b.constant(new Array(opts.lastAxis === false ? 32 : 8).fill(2), "float32", opts.lastAxis === false ? [1, 4, 8] : [1, 1, 8], "scale");
  const ex2 = mean(b.op("Mul", [x, x]));
  if (opts.rms) {
    const r = b.op("Reciprocal", [b.op("Sqrt", [b.op("Add", [keepdims(ex2), b.scalar(1e-6, "float32")])])]);
    b.graph.outputs.push(b.op("Mul", [x, b.op("Mul", [r, scale])]));
    return b;
  }
  const m = mean(x);
  const variance = b.op("Max", [b.scalar(0, "float32"), b.op("Sub", [ex2, b.op("Mul", [m, m])])]);
  const r = b.op("Reciprocal", [b.op("Sqrt", [b.op("Add", [keepdims(variance), b.scalar(1e-6, "float32")])])]);
  const y = b.op("Mul", [b.op("Sub", [x, keepdims(m)]), b.op("Mul", [r, scale])]);
  b.graph.outputs.push(b.op("Add", [y, b.constant(new Array(8).fill(0.5), "float32", [1, 1, 8], "bias")]));
  return b;
}

describe("normalization fusions", () => {
  test("layer_norm: flax's form over the last axis is one LayerNormalization with [C] scale and bias", () => {
    const b = layerNorm();
    expect(fuse(b).ops).toEqual(["LayerNormalization"]);
    const [ln] = b.graph.nodes;
    expect(ln.inputs.map((v) => [v?.name, v?.type.shape])).toEqual([["x", ["B", 4, 8]], ["scale", [8]], ["bias", [8]]]);
    expect(ln.attrs.axis?.value).toBe(2);
    expect(ln.attrs.epsilon?.value).toBeCloseTo(1e-6, 9);
  });

  test("layer_norm: below opset 17 nothing is fused", () => {
    expect(fuse(layerNorm(), 16).ops).not.toContain("LayerNormalization");
  });

  test("layer_norm: a normalization over a middle axis is rejected with its reason", () => {
    const { ops, rejections } = fuse(layerNorm({ lastAxis: false }));
    expect(ops).not.toContain("LayerNormalization");
    expect(rejections.map((r) => r.reason)).toContain("the normalized axes [1] are not the last ones");
  });

  test("rms_norm: x * rsqrt(mean(x²) + eps) * scale is RMSNormalization at opset 23 only", () => {
    expect(fuse(layerNorm({ rms: true }), 23).ops).toEqual(["RMSNormalization"]);
    expect(fuse(layerNorm({ rms: true }), 22).ops).not.toContain("RMSNormalization");
  });
});
