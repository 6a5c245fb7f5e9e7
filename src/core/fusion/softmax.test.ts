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
});
