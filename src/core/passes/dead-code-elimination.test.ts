import { attr, Graph, Node, Value, type Tensor } from "../ir/ir";
import { DeadCodeElimination } from "./dead-code-elimination";

const value = (name: string): Value => new Value(name, { dtype: "float32", shape: [2] });
const initializer = (graph: Graph, name: string): Value => {
  const v = value(name);
  const tensor: Tensor = { dtype: "float32", shape: [2], data: { kind: "bytes", bytes: new Uint8Array(8) } };
  v.tensor = tensor;
  graph.initializers.push(v);
  return v;
};
const names = (items: readonly { name: string }[]): string[] => items.map((x) => x.name);

describe("DeadCodeElimination", () => {
  test("Case 1: removes a node whose output nothing reads", () => {
    const g = new Graph("g");
    const x = value("x");
    g.inputs.push(x);
    const y = value("y");
    const unused = value("unused");
    g.nodes = [new Node("keep", "Neg", [x], [y]), new Node("dead", "Exp", [x], [unused])];
    g.outputs.push(y);

    const result = new DeadCodeElimination().run(g);

    expect(result.modified).toBe(true);
    expect(names(g.nodes)).toEqual(["keep"]);
    expect(names(g.inputs)).toEqual(["x"]);
  });

  test("Case 1: removes a dead chain, however long, and keeps program order", () => {
    const g = new Graph("g");
    const x = value("x");
    g.inputs.push(x);
    const [a, b, c, y] = ["a", "b", "c", "y"].map(value);
    g.nodes = [new Node("n1", "Neg", [x], [a]), new Node("d1", "Exp", [a], [b]), new Node("d2", "Log", [b], [c]), new Node("n2", "Relu", [a], [y])];
    g.outputs.push(y);

    new DeadCodeElimination().run(g);

    expect(names(g.nodes)).toEqual(["n1", "n2"]);
  });

  test("Case 1: keeps a node when any one of its outputs is read", () => {
    const g = new Graph("g");
    const x = value("x");
    g.inputs.push(x);
    const [first, second] = [value("first"), value("second")];
    g.nodes = [new Node("split", "Split", [x], [first, second])];
    g.outputs.push(second);

    const result = new DeadCodeElimination().run(g);

    expect(result.modified).toBe(false);
    expect(names(g.nodes)).toEqual(["split"]);
  });

  test("Case 1: a value read only inside a subgraph (If branch) keeps its producer", () => {
    const g = new Graph("g");
    const [x, cond] = [value("x"), new Value("cond", { dtype: "bool", shape: [] })];
    g.inputs.push(x, cond);
    const [outer, branchOut, y] = ["outer", "branch_out", "y"].map(value);
    const branch = new Graph("then");
    branch.nodes = [new Node("inner", "Neg", [outer], [branchOut])];
    branch.outputs.push(branchOut);
    g.nodes = [new Node("producer", "Exp", [x], [outer]), new Node("if", "If", [cond], [y], { then_branch: attr.graph(branch), else_branch: attr.graph(branch) })];
    g.outputs.push(y);

    const result = new DeadCodeElimination().run(g);

    expect(result.modified).toBe(false);
    expect(names(g.nodes)).toEqual(["producer", "if"]);
  });

  test("Case 2: removes initializers only dead nodes read; keeps the ones live nodes read", () => {
    const g = new Graph("g");
    const x = value("x");
    g.inputs.push(x);
    const [wLive, wDead] = [initializer(g, "w_live"), initializer(g, "w_dead")];
    initializer(g, "w_unread");
    const [y, unused] = [value("y"), value("unused")];
    g.nodes = [new Node("live", "Add", [x, wLive], [y]), new Node("dead", "Mul", [x, wDead], [unused])];
    g.outputs.push(y);

    const result = new DeadCodeElimination().run(g);

    expect(result.modified).toBe(true);
    expect(names(g.nodes)).toEqual(["live"]);
    expect(g.initializers).toEqual([wLive]);
  });

  test("Case 2: keeps an initializer a subgraph reads, and one that is a graph output", () => {
    const g = new Graph("g");
    const cond = new Value("cond", { dtype: "bool", shape: [] });
    g.inputs.push(cond);
    const [wInner, wOut] = [initializer(g, "w_inner"), initializer(g, "w_out")];
    const [branchOut, y] = [value("branch_out"), value("y")];
    const branch = new Graph("then");
    branch.nodes = [new Node("inner", "Neg", [wInner], [branchOut])];
    branch.outputs.push(branchOut);
    g.nodes = [new Node("if", "If", [cond], [y], { then_branch: attr.graph(branch), else_branch: attr.graph(branch) })];
    g.outputs.push(y, wOut);

    const result = new DeadCodeElimination().run(g);

    expect(result.modified).toBe(false);
    expect(g.initializers).toEqual([wInner, wOut]);
  });

  test("graph inputs stay even when nothing reads them (they are the model's signature)", () => {
    const g = new Graph("g");
    const [x, unusedInput, y] = [value("x"), value("unused_input"), value("y")];
    g.inputs.push(x, unusedInput);
    g.nodes = [new Node("n", "Neg", [x], [y])];
    g.outputs.push(y);

    expect(new DeadCodeElimination().run(g).modified).toBe(false);
    expect(g.inputs).toEqual([x, unusedInput]);
  });

  test("a graph without outputs loses every node and initializer", () => {
    const g = new Graph("g");
    const x = value("x");
    g.inputs.push(x);
    const w = initializer(g, "w");
    g.nodes = [new Node("n", "Add", [x, w], [value("y")])];

    new DeadCodeElimination().run(g);

    expect(g.nodes).toEqual([]);
    expect(g.initializers).toEqual([]);
  });

  test("Case 3: a body's dead nodes go, and with them outer values only they read", () => {
    const g = new Graph("g");
    const cond = new Value("cond", { dtype: "bool", shape: [] });
    const x = value("x");
    g.inputs.push(cond, x);
    const [onlyDeadReads, a, thenY, elseY, deadInBody, y] = ["onlyDeadReads", "a", "thenY", "elseY", "deadInBody", "y"].map(value);
    const thenBranch = new Graph("then");
    thenBranch.nodes = [new Node("t_keep", "Neg", [a], [thenY]), new Node("t_dead", "Exp", [onlyDeadReads], [deadInBody])];
    thenBranch.outputs.push(thenY);
    const elseBranch = new Graph("else");
    elseBranch.nodes = [new Node("e_keep", "Identity", [x], [elseY])];
    elseBranch.outputs.push(elseY);
    g.nodes = [
      new Node("outer_a", "Relu", [x], [a]),
      new Node("outer_dead_only", "Sin", [x], [onlyDeadReads]),
      new Node("if", "If", [cond], [y], { then_branch: attr.graph(thenBranch), else_branch: attr.graph(elseBranch) }),
    ];
    g.outputs.push(y);

    const result = new DeadCodeElimination().run(g);

    expect(result.modified).toBe(true);
    expect(names(thenBranch.nodes)).toEqual(["t_keep"]);
    expect(names(thenBranch.outputs)).toEqual(["thenY"]);
    expect(names(g.nodes)).toEqual(["outer_a", "if"]);
  });
});
