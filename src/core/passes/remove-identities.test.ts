import { GraphBuilder } from "../ir/builder";
import { RemoveIdentities } from "./remove-identities";

describe("RemoveIdentities", () => {
  test("Cases 1-3: Identity, a Cast to the same dtype and a Reshape to the same shape go; real ones stay", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 4] });
    const id = b.op("Identity", [x]);
    const cast = b.op("Cast", [id], { to: 1 }, { types: [{ dtype: "float32", shape: ["B", 4] }] });
    const same = b.op("Reshape", [cast, b.int64s([0, 4])], {}, { types: [{ dtype: "float32", shape: ["B", 4] }] });
    const real = b.op("Cast", [same], { to: 7 }, { types: [{ dtype: "int64", shape: ["B", 4] }] });
    b.graph.outputs.push(real);
    expect(new RemoveIdentities().run(b.graph).modified).toBe(true);
    expect(b.graph.nodes.map((n) => [n.op, n.inputs[0]])).toEqual([["Cast", x]]);
  });

  test("Case 4: Where on an all-true constant condition is its first branch", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 1] });
    const y = b.op("Where", [b.scalar(true, "bool"), b.op("Neg", [x]), x]);
    b.graph.outputs.push(b.op("Exp", [y]));
    new RemoveIdentities().run(b.graph);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(["Neg", "Exp"]);
  });

  test("Case 6: x - 0 is x; x - (-0) and x + 0 stay (they turn -0 into +0)", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: ["B", 3] });
    const minusZero = b.op("Sub", [x, b.scalar(0, "float32")]);
    const minusNegZero = b.op("Sub", [minusZero, b.scalar(-0, "float32")]);
    const plusZero = b.op("Add", [minusNegZero, b.scalar(0, "float32")]);
    b.graph.outputs.push(b.op("Exp", [plusZero]));
    new RemoveIdentities().run(b.graph);
    expect(b.graph.nodes.map((n) => [n.op, n.inputs[0]?.name])).toEqual([["Sub", "x"], ["Add", minusNegZero.name], ["Exp", plusZero.name]]);
  });

  test("a graph output keeps its producer", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2] });
    b.graph.outputs.push(b.op("Identity", [x]));
    expect(new RemoveIdentities().run(b.graph).modified).toBe(false);
  });

  test("Case 5: an Expand only broadcasting into an Add is skipped", () => {
    const b = new GraphBuilder("g");
    const y = b.addInput("y", { dtype: "float32", shape: ["B", 4] });
    const bias = b.constant([1, 2, 3, 4], "float32", [4]);
    const expanded = b.op("Expand", [bias, b.op("Shape", [y])], {}, { types: [{ dtype: "float32", shape: ["B", 4] }] });
    b.graph.outputs.push(b.op("Add", [y, expanded]));
    new RemoveIdentities().run(b.graph);
    expect(b.graph.nodes.find((n) => n.op === "Add")?.inputs).toEqual([y, bias]);
  });

  test("Case 7: an Identity before a graph output hands the output to its input's producer", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2] });
    const neg = b.op("Neg", [x]);
    const out = b.op("Identity", [neg]);
    b.graph.outputs.push(out);
    expect(new RemoveIdentities().run(b.graph).modified).toBe(true);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(["Neg"]);
    expect(b.graph.nodes[0].outputs).toEqual([out]);
    expect(out.producer).toBe(b.graph.nodes[0]);
  });

  test("Case 7 not when the input is read elsewhere too or is itself an output", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2] });
    const neg = b.op("Neg", [x]);
    b.graph.outputs.push(b.op("Identity", [neg]), b.op("Exp", [neg]));
    expect(new RemoveIdentities().run(b.graph).modified).toBe(false);
    const b2 = new GraphBuilder("g");
    const n2 = b2.op("Neg", [b2.addInput("x", { dtype: "float32", shape: [2] })]);
    b2.graph.outputs.push(n2, b2.op("Identity", [n2]));
    expect(new RemoveIdentities().run(b2.graph).modified).toBe(false);
  });
});
