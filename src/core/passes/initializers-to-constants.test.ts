import { encodeScalars } from "../ir/dtype";
import { Graph, Node, Value } from "../ir/ir";
import { InitializersToConstants } from "./initializers-to-constants";
import { PassError } from "./pass";

const f32 = (name: string, shape: number[]): Value => new Value(name, { dtype: "float32", shape });

describe("InitializersToConstants", () => {
  test("Case 1: each initializer becomes a Constant node first in the body, read where it was", () => {
    const g = new Graph("Body");
    const x = f32("in_0", [2]);
    g.inputs.push(x);
    const k = f32("two", []);
    k.tensor = { dtype: "float32", shape: [], data: { kind: "bytes", bytes: encodeScalars([2], "float32") } };
    g.initializers.push(k);
    const y = f32("y", [2]);
    g.nodes = [new Node("mul", "Mul", [x, k], [y])];
    g.outputs.push(y);
    expect(new InitializersToConstants().run(g).modified).toBe(true);
    expect(g.nodes.map((n) => [n.name, n.op])).toEqual([["two_Constant", "Constant"], ["mul", "Mul"]]);
    expect(g.nodes[1].inputs[1]).toBe(g.nodes[0].outputs[0]);
    expect(g.nodes[0].outputs[0].name).toBe("two");
    expect(g.nodes[0].attrs.value?.type).toBe("tensor");
    expect(g.initializers).toEqual([]);
  });

  test("a body without initializers is left as it is", () => {
    const g = new Graph("Body");
    expect(new InitializersToConstants().run(g).modified).toBe(false);
  });

  test("a weight the host holds cannot become a Constant", () => {
    const g = new Graph("Body");
    const w = f32("w", [2]);
    w.tensor = { dtype: "float32", shape: [2], data: { kind: "host", buffer: 0, sourceShape: [2] } };
    g.initializers.push(w);
    expect(() => new InitializersToConstants().run(g)).toThrow(PassError);
  });
});
