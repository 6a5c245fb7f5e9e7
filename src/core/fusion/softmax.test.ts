import { GraphBuilder } from "../ir/builder";
import { fuse } from "./testing";

/** jax.nn.softmax / log_softmax over `axis` as our rules lower them. */
function softmaxGraph(log: boolean, sumAxis = 1) {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: ["B", 8] });
  const axes = b.int64s([1]);
  const max = b.op("Max", [b.scalar(-Infinity, "float32"), b.op("ReduceMax", [x, axes], { keepdims: 0 })]);
  const s = b.op("Sub", [x, b.op("Unsqueeze", [max, axes])]);
  const e = b.op("Exp", [s]);
  const sum = b.op("Unsqueeze", [b.op("ReduceSum", [e, b.int64s([sumAxis])], { keepdims: 0 }), b.int64s([sumAxis])]);
  b.graph.outputs.push(log ? b.op("Sub", [s, b.op("Log", [sum])]) : b.op("Div", [e, sum]));
  return { b, x };
}

describe("softmax fusions", () => {
  test.each([
    [false, "Softmax"],
    [true, "LogSoftmax"],
  ])("log=%s becomes one %s over the max's axis", (log, op) => {
    const { b, x } = softmaxGraph(log);
    expect(fuse(b).ops).toEqual([op]);
    expect(b.graph.nodes[0].inputs).toEqual([x]);
    expect(b.graph.nodes[0].attrs.axis?.value).toBe(1);
  });

  test("a sum over another axis than the max is not a softmax", () => {
    const { b } = softmaxGraph(false, 0);
    const { ops, rejections } = fuse(b);
    expect(ops).not.toContain("Softmax");
    expect(rejections.find((r) => r.rule === "softmax")?.reason).toBe("the denominator is not the sum of the same exponentials over the same axis");
  });

  /** jax.nn.dot_product_attention's softmax: max over x [B,N,T,1,S], the rest on Transpose(x, perm). */
  function transposedSoftmax(perm: number[]) {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2, 3, 5, 1, 4] });
    const xt = b.op("Transpose", [x], { perm });
    const max = b.op("ReduceMax", [x, b.int64s([4])], { keepdims: 0 });
    const kept = xt.type.shape.map((d, i) => (i === perm.indexOf(4) ? 1 : d)) as number[];
    const s = b.op("Sub", [xt, b.op("Reshape", [max, b.int64s(kept)], {}, { types: [{ dtype: "float32", shape: kept }] })]);
    const e = b.op("Exp", [s]);
    const at = perm.indexOf(4);
    const sum = b.op("Unsqueeze", [b.op("ReduceSum", [e, b.int64s([at])], { keepdims: 0 }), b.int64s([at])]);
    b.graph.outputs.push(b.op("Div", [e, sum]));
    return { b, xt };
  }

  test("a max over x with the rest on Transpose(x) is Softmax of the transposed value", () => {
    const { b, xt } = transposedSoftmax([3, 0, 1, 2, 4]);
    expect(fuse(b).ops).toEqual(["Transpose", "Softmax"]);
    expect(b.graph.nodes[1].inputs).toEqual([xt]);
    expect(b.graph.nodes[1].attrs.axis?.value).toBe(4);
  });

  test("not when the Transpose reorders the other dims (the max would meet other rows)", () => {
    const { b } = transposedSoftmax([3, 1, 0, 2, 4]);
    const { ops, rejections } = fuse(b);
    expect(ops).not.toContain("Softmax");
    expect(rejections.find((r) => r.rule === "softmax")?.reason).toBe("the numerator is not exp(x - max(x)) over one axis");
  });
});
