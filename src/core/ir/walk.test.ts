import { GraphBuilder } from "./builder";
import { attr } from "./ir";
import { ReaderIndex, ValueReplacements } from "./walk";

const f32 = (...shape: number[]) => ({ dtype: "float32" as const, shape });

describe("ValueReplacements", () => {
  test("resolve follows chains; apply rewrites reads in the graph, its subgraphs and its outputs", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2));
    const a = b.op("Relu", [x]);
    const c = b.op("Neg", [a]);
    const body = b.child("body");
    const inner = body.op("Abs", [a]); // reads the outer `a`
    body.graph.outputs.push(inner);
    const loopOut = b.op("Identity", [c], {});
    b.graph.nodes[b.graph.nodes.length - 1].attrs.body = attr.graph(body.graph);
    b.graph.outputs.push(a, loopOut);

    const r = new ValueReplacements();
    r.replace(a, c);
    r.replace(c, x);
    expect(r.resolve(a)).toBe(x);
    expect(r.resolve(loopOut)).toBe(loopOut);
    r.apply(b.graph);
    expect(b.graph.nodes.map((n) => n.inputs[0])).toEqual([x, x, x]);
    expect(body.graph.nodes[0].inputs[0]).toBe(x);
    expect(b.graph.outputs).toEqual([x, loopOut]);
  });

  test("a replacement that would map a value to itself is dropped", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2));
    const y = b.op("Relu", [x]);
    const r = new ValueReplacements();
    r.replace(x, y);
    r.replace(y, x); // y -> x -> y would loop
    expect(r.resolve(y)).toBe(y);
    expect(r.size).toBe(1);
  });
});

describe("ReaderIndex", () => {
  test("counts reads (twice for Mul(x, x)) and stays current through remove/add", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", f32(2));
    const sq = b.op("Mul", [x, x]);
    const r = b.op("Relu", [x]);
    const index = new ReaderIndex(b.graph.nodes);
    expect(index.count(x)).toBe(3);
    expect(index.soleReader(sq)).toBeNull();
    const mul = b.graph.nodes[0];
    index.remove(mul);
    mul.inputs = [r, r];
    index.add(mul);
    expect(index.count(x)).toBe(1);
    expect(index.soleReader(x)).toBe(b.graph.nodes[1]);
    expect(index.count(r)).toBe(2);
    expect(new Set(index.takeTouched())).toEqual(new Set([x, r]));
    expect(index.takeTouched()).toEqual([]);
  });
});
