import { GraphBuilder } from "../ir/builder";
import type { Value } from "../ir/ir";
import { DeadCodeElimination } from "./dead-code-elimination";
import { FusePatterns } from "./fuse-patterns";
import { fuse } from "../fusion/testing";

/** The ops JAX's jax.nn.gelu lowers to, as our rules emit them. */
function geluGraph(approximate: boolean): { b: GraphBuilder; x: Value; out: Value } {
  const b = new GraphBuilder("g");
  const x = b.addInput("x", { dtype: "float32", shape: ["B", 8] });
  const k = (n: number): Value => b.scalar(n, "float32");
  let out: Value;
  if (approximate) {
    const cube = b.op("Mul", [x, b.op("Mul", [x, x])]);
    const inner = b.op("Add", [x, b.op("Mul", [k(0.044715), cube])]);
    const t = b.op("Tanh", [b.op("Mul", [k(0.7978845834732056), inner])]);
    out = b.op("Mul", [x, b.op("Mul", [k(0.5), b.op("Add", [k(1), t])])]);
  } else {
    const erfc = b.op("Sub", [k(1), b.op("Erf", [b.op("Mul", [b.op("Neg", [x]), k(0.7071067690849304)])])]);
    out = b.op("Mul", [b.op("Mul", [k(0.5), x]), erfc]);
  }
  b.graph.outputs.push(out);
  return { b, x, out };
}

describe("FusePatterns", () => {
  test.each([
    [true, "tanh"],
    [false, undefined],
  ])("gelu (approximate=%s) becomes one Gelu node at opset 20+", (approximate, attr) => {
    const { b, x, out } = geluGraph(approximate);
    const result = new FusePatterns(21).run(b.graph);
    new DeadCodeElimination().run(b.graph);
    expect(result.modified).toBe(true);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(["Gelu"]);
    const [gelu] = b.graph.nodes;
    expect(gelu.inputs).toEqual([x]);
    expect(gelu.outputs).toEqual([out]);
    expect(gelu.attrs.approximate?.value).toBe(attr);
  });

  test("below opset 20 nothing is fused", () => {
    const { b } = geluGraph(true);
    const before = b.graph.nodes.map((n) => n.op);
    expect(new FusePatterns(19).run(b.graph).modified).toBe(false);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(before);
  });

  test("a different coefficient is not gelu", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [8] });
    const erfc = b.op("Sub", [b.scalar(1, "float32"), b.op("Erf", [b.op("Mul", [b.op("Neg", [x]), b.scalar(0.5, "float32")])])]);
    b.graph.outputs.push(b.op("Mul", [b.op("Mul", [b.scalar(0.5, "float32"), x]), erfc]));
    expect(new FusePatterns(21).run(b.graph).modified).toBe(false);
  });

  test.each([
    [1, 4, 4, true],
    [1, 4, 9, false],
  ])("avg_pool: AveragePool(count_include_pad=%s) * %s / %s fuses only when it cancels", (countPad, size, divisor, fused) => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [1, 3, 8, 8] });
    const pooled = b.op("AveragePool", [x], { kernel_shape: [2, 2], strides: [2, 2], count_include_pad: countPad });
    const out = b.op("Div", [b.op("Mul", [pooled, b.scalar(size, "float32")]), b.scalar(divisor, "float32")]);
    b.graph.outputs.push(out);
    new FusePatterns(21).run(b.graph);
    new DeadCodeElimination().run(b.graph);
    if (!fused) {
      expect(b.graph.nodes.map((n) => n.op)).toEqual(["AveragePool", "Mul", "Div"]);
      return;
    }
    expect(b.graph.nodes.map((n) => [n.op, n.name])).toEqual([["AveragePool", "AveragePool_1"]]);
    expect(b.graph.nodes[0].inputs).toEqual([x]);
    expect(b.graph.nodes[0].outputs).toEqual([out]);
    expect(b.graph.nodes[0].attrs.kernel_shape?.value).toEqual([2, 2]);
  });

  test("avg_pool does not take a pool that skips padding; the product still cancels (scale_cancel), leaving the pool", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [1, 3, 8, 8] });
    const pooled = b.op("AveragePool", [x], { kernel_shape: [2, 2], strides: [2, 2], count_include_pad: 0 });
    b.graph.outputs.push(b.op("Div", [b.op("Mul", [pooled, b.scalar(4, "float32")]), b.scalar(4, "float32")]));
    const pass = new FusePatterns(21);
    pass.run(b.graph);
    new DeadCodeElimination().run(b.graph);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(["AveragePool", "Identity"]);
    expect(b.graph.nodes[1].inputs).toEqual([pooled]);
    expect(pass.rejections.find((r) => r.rule === "avg_pool")?.reason).toMatch(/does not count padding/);
  });
});

describe("FusePatterns on long graphs", () => {
  const N = 300;
  test("300 Linear + BatchNorm blocks in a chain: each becomes one Gemm (a fusion enabling the next below it)", () => {
    // Per block: ((x @ W + b) - mean) * s + beta, the shape fold-affine folds after the Gemm forms.
    const b = new GraphBuilder("g");
    let x = b.addInput("x", { dtype: "float32", shape: ["B", 2] });
    for (let i = 0; i < N; i++) {
      b.scope = `block${i}`;
      const h = b.op("Add", [b.op("MatMul", [x, b.constant([1, 2, 3, 4], "float32", [2, 2], `w${i}`)]), b.constant([1, -1], "float32", [2], `b${i}`)]);
      const centered = b.op("Sub", [h, b.constant([0.5, 1.5], "float32", [2], `mean${i}`)]);
      x = b.op("Add", [b.op("Mul", [centered, b.constant([2, 3], "float32", [2], `s${i}`)]), b.constant([10, 20], "float32", [2], `beta${i}`)]);
    }
    b.graph.outputs.push(x);
    expect(fuse(b).ops).toEqual(new Array(N).fill("Gemm"));
    expect(b.graph.nodes[0].name).toBe("block0/Gemm");
    // In order: each Gemm reads the one before it.
    b.graph.nodes.forEach((n, i) => expect(n.inputs[0]).toBe(i === 0 ? b.graph.inputs[0] : b.graph.nodes[i - 1].outputs[0]));
  });
});
