import fc from "fast-check";
import protobuf from "protobufjs/minimal.js";
import { defaultRegistry } from "../../../plugins";
import { convertCapture } from "../../core/convert";
import { decodeCapture } from "../../core/interchange/decode";
import { encodeScalars } from "../../core/ir/dtype";
import { onnx } from "../../core/proto/onnx";
import { joinChunks } from "../../core/serialize/chunks";
import { viewGraphFromOnnx } from "./from-onnx";
import { formatType } from "./tensors-and-types";
import { tensorStats } from "./tensor-stats";
import { OnnxViewError, type ViewGraph, type ViewNode } from "./types";

const T = onnx.AttributeProto.AttributeType;
const FLOAT = 1;

const tensorType = (dims: (number | string | null)[], elemType = FLOAT): onnx.TypeProto.$Properties => ({
  tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : typeof d === "string" ? { dimParam: d } : {})) } },
});
const vi = (name: string, dims: (number | string | null)[], elemType = FLOAT): onnx.ValueInfoProto.$Properties => ({ name, type: tensorType(dims, elemType) });
const f32Tensor = (name: string, dims: number[], values: number[]): onnx.TensorProto.$Properties => ({
  name, dims, dataType: FLOAT, rawData: encodeScalars(values, "float32"),
});

/** Encodes a hand-built model and reads it back through the bytes path, as a file would be. */
function view(model: onnx.ModelProto.$Properties, extras = {}): ViewGraph {
  return viewGraphFromOnnx(onnx.ModelProto.encode({ irVersion: 10, opsetImport: [{ domain: "", version: 21 }], ...model }).finish(), extras);
}

const op = (g: ViewGraph, opType: string): ViewNode[] => g.nodes.filter((n) => n.op === opType);
const edgeSet = (g: ViewGraph): string[] => g.edges.map((e) => `${e.source}->${e.target}`).sort();

describe("viewGraphFromOnnx: plain graphs from any producer", () => {
  // y = Relu(x @ W + b): no node names, no value_info, a symbolic batch dim.
  const plain = view({
    producerName: "hand",
    graph: {
      name: "g",
      input: [vi("x", ["B", 3])],
      output: [vi("y", ["B", 2])],
      initializer: [f32Tensor("W", [3, 2], [1, 2, 0, -4, 5, 6]), f32Tensor("b", [2], [0.5, NaN])],
      node: [
        { opType: "MatMul", input: ["x", "W"], output: ["t"] },
        { opType: "Add", input: ["t", "b"], output: ["u"] },
        { opType: "Relu", input: ["u"], output: ["y"] },
      ],
    },
  });

  test("every node, the input and output nodes, and the dataflow edges", () => {
    expect(plain.nodes.map((n) => [n.id, n.kind, n.op, n.name])).toEqual([
      ["in0", "input", "Input", "x"],
      ["n0", "op", "MatMul", ""],
      ["n1", "op", "Add", ""],
      ["n2", "op", "Relu", ""],
      ["out0", "output", "Output", "y"],
    ]);
    expect(edgeSet(plain)).toEqual(["in0->n0", "n0->n1", "n1->n2", "n2->out0"].sort());
    expect(plain.groups).toEqual([]);
  });

  test("dim_param dims by name; values without value_info have no type", () => {
    expect(formatType(plain.inputs[0].type)).toBe("float32[B,3]");
    expect(formatType(plain.outputs[0].type)).toBe("float32[B,2]");
    expect(op(plain, "MatMul")[0].outputs[0].type).toBeNull();
  });

  test("initializers with dtype, shape and statistics from their bytes (NaN counted, not averaged)", () => {
    const [w, b] = plain.initializers;
    expect([w.name, w.dtype, w.shape]).toEqual(["W", "float32", [3, 2]]);
    expect(tensorStats(w)).toMatchObject({ count: 6, min: -4, max: 6, mean: 10 / 6, zeros: 1, nans: 0 });
    expect(tensorStats(w)!.std).toBeCloseTo(Math.sqrt([1, 2, 0, -4, 5, 6].reduce((s, x) => s + (x - 10 / 6) ** 2, 0) / 6), 12);
    expect(tensorStats(b)).toMatchObject({ count: 2, min: 0.5, max: 0.5, mean: 0.5, nans: 1 });
    // The consumer's input carries the initializer, so the inspector can show it.
    expect(op(plain, "MatMul")[0].inputs[1]?.initializer?.name).toBe("W");
  });

  test("a graph input that is also an initializer (IR < 4) is a weight, not an input node", () => {
    const g = view({
      graph: {
        input: [vi("x", [2]), vi("w", [2])],
        output: [vi("y", [2])],
        initializer: [f32Tensor("w", [2], [1, 2])],
        node: [{ opType: "Mul", input: ["x", "w"], output: ["y"] }],
      },
    });
    expect(g.nodes.filter((n) => n.kind === "input").map((n) => n.name)).toEqual(["x"]);
    expect(g.inputs.map((v) => v.name)).toEqual(["x"]);
  });

  test("nodes listed before their producers still connect; unknown inputs and omitted optionals do not crash", () => {
    const g = view({
      graph: {
        input: [vi("x", [4])],
        output: [vi("z", [4])],
        node: [
          { opType: "Neg", input: ["y"], output: ["z"] },
          { opType: "Abs", input: ["x"], output: ["y"] },
          { opType: "Clip", input: ["x", "", "nowhere"], output: ["unused"] },
        ],
      },
    });
    expect(edgeSet(g)).toEqual(["in0->n1", "in0->n2", "n0->out0", "n1->n0"].sort());
    expect(op(g, "Clip")[0].inputs.map((v) => v?.name ?? null)).toEqual(["x", null, "nowhere"]);
  });

  test("typed data fields (float_data, int64_data, int32_data float16 bits) count as bytes present", () => {
    const g = view({
      graph: {
        output: [vi("y", [3])],
        initializer: [
          { name: "f", dims: [3], dataType: FLOAT, floatData: [1, 2, 3] },
          { name: "i", dims: [2], dataType: 7, int64Data: [5, -7] },
          { name: "h", dims: [2], dataType: 10, int32Data: [0x3c00, 0xc000] }, // 1.0, -2.0 as binary16
        ],
        node: [{ opType: "Identity", input: ["f"], output: ["y"] }],
      },
    });
    const stats = Object.fromEntries(g.initializers.map((t) => [t.name, tensorStats(t)]));
    expect(stats.f).toMatchObject({ min: 1, max: 3, mean: 2 });
    expect(stats.i).toMatchObject({ min: -7, max: 5 });
    expect(stats.h).toMatchObject({ min: -2, max: 1 });
  });
});

describe("external data", () => {
  const model = {
    graph: {
      input: [vi("x", [2, 2])],
      output: [vi("y", [2, 2])],
      initializer: [
        {
          name: "big", dims: [2, 2], dataType: FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [{ key: "location", value: "model.onnx.data" }, { key: "offset", value: "4096" }, { key: "length", value: "16" }],
        },
      ],
      node: [{ opType: "Add", input: ["x", "big"], output: ["y"] }],
    },
  };

  test("shows where the bytes are and has no statistics of its own", () => {
    const [t] = view(model).initializers;
    expect(t.data).toEqual({ kind: "external", location: "model.onnx.data", offset: 4096, length: 16 });
    expect(tensorStats(t)).toBeNull();
  });

  test("takes the host's statistics when it supplies them", () => {
    const hostStats = { count: 4, min: -1, max: 1, mean: 0, std: 1, zeros: 0, nans: 0 };
    const [t] = view(model, { tensorStats: { big: hostStats } }).initializers;
    expect(tensorStats(t)).toEqual(hostStats);
  });
});

describe("groups from metadata and from name prefixes", () => {
  test("our metadata: scope groups, provenance in the node", () => {
    const meta = (scope: string, primitive: string) => [
      { key: "jax2onnx_lab.scope", value: scope },
      { key: "jax2onnx_lab.primitive", value: primitive },
      { key: "jax2onnx_lab.source", value: "model.py:12:4 (MLP.__call__)" },
    ];
    const g = view({
      graph: {
        input: [vi("x", ["B", 3])],
        output: [vi("y", ["B", 3])],
        node: [
          { name: "MLP/l1/MatMul", opType: "MatMul", input: ["x", "x"], output: ["a"], metadataProps: meta("MLP/l1", "dot_general") },
          { name: "MLP/l1/Add", opType: "Add", input: ["a", "x"], output: ["b"], metadataProps: meta("MLP/l1", "add") },
          { name: "MLP/l2/MatMul", opType: "MatMul", input: ["b", "x"], output: ["c"], metadataProps: meta("MLP/l2", "dot_general") },
          { name: "MLP/l2/Add", opType: "Add", input: ["c", "x"], output: ["y"], metadataProps: meta("MLP/l2", "add") },
        ],
      },
    });
    expect(g.groups.map((x) => [x.id, x.kind, x.label, x.parent, x.nodeCount])).toEqual([
      ["s:MLP", "scope", "MLP", null, 4],
      ["s:MLP/l1", "scope", "l1", "s:MLP", 2],
      ["s:MLP/l2", "scope", "l2", "s:MLP", 2],
    ]);
    const first = g.nodes.find((n) => n.id === "n0")!;
    expect(first.parent).toBe("s:MLP/l1");
    expect(first.provenance).toEqual({ scope: "MLP/l1", primitive: "dot_general", source: "model.py:12:4 (MLP.__call__)" });
  });

  test("PyTorch-style names: groups from prefixes; a scope with a single node is no group", () => {
    const g = view({
      graph: {
        input: [vi("x", [1])],
        output: [vi("y", [1])],
        node: [
          { name: "/encoder/layer.0/attn/MatMul", opType: "MatMul", input: ["x", "x"], output: ["a"] },
          { name: "/encoder/layer.0/attn/Softmax", opType: "Softmax", input: ["a"], output: ["b"] },
          { name: "/encoder/layer.0/norm/Add", opType: "Add", input: ["b", "x"], output: ["c"] },
          { name: "/Relu", opType: "Relu", input: ["c"], output: ["y"] },
        ],
      },
    });
    // encoder's only child is layer.0: it drops; norm has a single node: it drops, its Add moves up.
    expect(g.groups.map((x) => [x.id, x.parent, x.nodeCount])).toEqual([
      ["s:encoder/layer.0", null, 3],
      ["s:encoder/layer.0/attn", "s:encoder/layer.0", 2],
    ]);
    expect(g.nodes.filter((n) => n.kind === "op").map((n) => n.parent)).toEqual(["s:encoder/layer.0/attn", "s:encoder/layer.0/attn", "s:encoder/layer.0", null]);
  });
});

describe("model-local functions", () => {
  // Block(x, w) = Relu(x * w); called twice; Outer calls Block inside its body.
  const block: onnx.FunctionProto.$Properties = {
    name: "Block", domain: "local", input: ["x", "w"], output: ["r"],
    node: [
      { name: "mul", opType: "Mul", input: ["x", "w"], output: ["m"] },
      { name: "relu", opType: "Relu", input: ["m"], output: ["r"] },
    ],
    opsetImport: [{ domain: "", version: 21 }],
    valueInfo: [vi("m", ["B", 4])],
  };
  const outer: onnx.FunctionProto.$Properties = {
    name: "Outer", domain: "local", input: ["a"], output: ["o"],
    node: [{ name: "inner", opType: "Block", domain: "local", input: ["a", "a"], output: ["o"] }],
    opsetImport: [{ domain: "", version: 21 }, { domain: "local", version: 1 }],
  };
  const g = view({
    opsetImport: [{ domain: "", version: 21 }, { domain: "local", version: 1 }],
    functions: [block, outer],
    graph: {
      input: [vi("x", ["B", 4])],
      output: [vi("y", ["B", 4])],
      initializer: [f32Tensor("w", [4], [1, 2, 3, 4])],
      node: [
        { name: "call1", opType: "Block", domain: "local", input: ["x", "w"], output: ["h"] },
        { name: "call2", opType: "Outer", domain: "local", input: ["h"], output: ["h2"] },
        { name: "tail", opType: "Neg", input: ["h2"], output: ["y"] },
      ],
    },
  });

  test("each call is a function group holding its own copy of the body", () => {
    expect(g.groups.map((x) => [x.id, x.kind, x.label, x.parent, x.nodeCount])).toEqual([
      ["n0", "function", "Block", null, 2],
      ["n1", "function", "Outer", null, 2],
      ["n1>n0", "function", "Block", "n1", 2],
    ]);
    expect(g.nodes.filter((n) => n.kind === "op").map((n) => `${n.id}:${n.op}@${n.parent}`)).toEqual([
      "n2:Neg@null", "n0>n0:Mul@n0", "n0>n1:Relu@n0", "n1>n0>n0:Mul@n1>n0", "n1>n0>n1:Relu@n1>n0",
    ]);
    expect(g.info.functions.map((f) => [f.name, f.nodeCount, f.calls])).toEqual([["Block", 2, 2], ["Outer", 1, 1]]);
  });

  test("formal inputs connect to the caller's producers; outputs to the caller's consumers, through nested calls", () => {
    expect(edgeSet(g)).toEqual(
      ["in0->n0>n0", "n0>n0->n0>n1", "n0>n1->n1>n0>n0", "n1>n0>n0->n1>n0>n1", "n1>n0>n1->n2", "n2->out0"].sort(),
    );
  });

  test("body values carry function value_info types, and formals the caller's weights", () => {
    const mul = g.nodes.find((n) => n.id === "n0>n0")!;
    expect(formatType(mul.outputs[0].type)).toBe("float32[B,4]");
    expect(formatType(mul.inputs[0]!.type)).toBe("float32[B,4]");
    expect(mul.inputs[1]?.initializer?.name).toBe("w");
    expect(g.groups[0].node?.inputs.map((v) => v?.name)).toEqual(["x", "w"]);
  });

  test("body nodes' module paths are the call site's path plus their own (our bodies record relative scopes)", () => {
    const scoped = (scope: string) => [{ key: "jax2onnx_lab.scope", value: scope }];
    const body: onnx.FunctionProto.$Properties = {
      name: "Block", domain: "local", input: ["x"], output: ["r"],
      node: [
        { name: "linear1/Gemm", opType: "Neg", input: ["x"], output: ["m"], metadataProps: scoped("linear1") },
        { name: "Relu", opType: "Relu", input: ["m"], output: ["r"] },
      ],
    };
    const m = view({
      functions: [body],
      graph: {
        input: [vi("x", [4])],
        output: [vi("y", [4])],
        node: [
          { name: "M/block1/Block", opType: "Block", domain: "local", input: ["x"], output: ["h"], metadataProps: scoped("M/block1") },
          { name: "M/block2/Block", opType: "Block", domain: "local", input: ["h"], output: ["y"], metadataProps: scoped("M/block2") },
        ],
      },
    });
    expect(m.nodes.filter((n) => n.kind === "op").map((n) => `${n.op}:${n.provenance.scope}`)).toEqual([
      "Neg:M/block1/linear1", "Relu:M/block1", "Neg:M/block2/linear1", "Relu:M/block2",
    ]);
  });

  test("a function that calls itself is shown once, with a warning, and does not hang", () => {
    const loop: onnx.FunctionProto.$Properties = {
      name: "F", domain: "local", input: ["x"], output: ["y"], node: [{ opType: "F", domain: "local", input: ["x"], output: ["y"] }],
    };
    const r = view({ functions: [loop], graph: { input: [vi("x", [1])], output: [vi("y", [1])], node: [{ opType: "F", domain: "local", input: ["x"], output: ["y"] }] } });
    expect(r.groups.map((x) => x.id)).toEqual(["n0"]);
    expect(r.nodes.find((n) => n.id === "n0>n0")?.op).toBe("F");
    expect(r.warnings.join(" ")).toMatch(/calls itself/);
  });
});

describe("subgraph attributes", () => {
  // y = If(c) then (x + k) else (-x), with x and k captured from the outer scope.
  const branch = (name: string, node: onnx.NodeProto.$Properties): onnx.GraphProto.$Properties => ({ name, node: [node], output: [vi(`${name}_out`, ["B"])] });
  const g = view({
    graph: {
      input: [vi("c", [], 9), vi("x", ["B"])],
      output: [vi("y", ["B"])],
      initializer: [f32Tensor("k", [1], [2])],
      node: [
        {
          name: "choose", opType: "If", input: ["c"], output: ["y"],
          attribute: [
            { name: "then_branch", type: T.GRAPH, g: branch("then", { opType: "Add", input: ["x", "k"], output: ["then_out"] }) },
            { name: "else_branch", type: T.GRAPH, g: branch("else", { opType: "Neg", input: ["x"], output: ["else_out"] }) },
          ],
        },
      ],
    },
  });

  test("the node is a control group with one subgraph group per body", () => {
    expect(g.groups.map((x) => [x.id, x.kind, x.parent, x.nodeCount])).toEqual([
      ["n0:g", "control", null, 3],
      ["n0:then_branch", "subgraph", "n0:g", 1],
      ["n0:else_branch", "subgraph", "n0:g", 1],
    ]);
    expect(g.nodes.find((n) => n.id === "n0")?.parent).toBe("n0:g");
  });

  test("body nodes read outer values by name; body outputs feed the node", () => {
    expect(edgeSet(g)).toEqual(
      ["in0->n0", "in1->n0:then_branch/n0", "in1->n0:else_branch/n0", "n0:then_branch/n0->n0:then_branch/out0", "n0:else_branch/n0->n0:else_branch/out0",
        "n0:then_branch/out0->n0", "n0:else_branch/out0->n0", "n0->out0"].sort(),
    );
    expect(g.nodes.find((n) => n.id === "n0:then_branch/n0")?.inputs[1]?.initializer?.name).toBe("k");
  });

  test("the attribute summarises its body", () => {
    const attrs = g.nodes.find((n) => n.id === "n0")!.attributes;
    expect(attrs.map((a) => [a.name, a.kind, a.kind === "graph" ? a.value : null])).toEqual([
      ["then_branch", "graph", { name: "then", nodeCount: 1, groupId: "n0:then_branch" }],
      ["else_branch", "graph", { name: "else", nodeCount: 1, groupId: "n0:else_branch" }],
    ]);
  });
});

describe("attributes", () => {
  test("ints, floats, strings, tensors; int64 beyond 2^53 exactly", () => {
    const g = view({
      graph: {
        input: [vi("x", [4])],
        output: [vi("y", [4])],
        node: [
          {
            opType: "Custom", domain: "x.y", input: ["x"], output: ["y"],
            attribute: [
              { name: "axis", type: T.INT, i: -1 },
              { name: "end", type: T.INTS, ints: [0, 9223372036854775807n.toString() as unknown as number] },
              { name: "alpha", type: T.FLOAT, f: 0.5 },
              { name: "mode", type: T.STRING, s: new TextEncoder().encode("<b>nearest</b>") },
              { name: "value", type: T.TENSOR, t: f32Tensor("", [2], [3, 4]) },
            ],
          },
        ],
      },
    });
    const attrs = g.nodes.find((n) => n.op === "Custom")!.attributes;
    expect(attrs[0]).toEqual({ name: "axis", kind: "int", value: -1 });
    expect(attrs[1]).toEqual({ name: "end", kind: "ints", value: [0, "9223372036854775807"] });
    expect(attrs[2]).toEqual({ name: "alpha", kind: "float", value: 0.5 });
    expect(attrs[3]).toEqual({ name: "mode", kind: "string", value: "<b>nearest</b>" });
    expect(attrs[4].kind === "tensor" && tensorStats(attrs[4].value)).toMatchObject({ min: 3, max: 4 });
  });
});

describe("malformed bytes", () => {
  test("empty, garbage and truncated files raise OnnxViewError with a readable reason", () => {
    expect(() => viewGraphFromOnnx(new Uint8Array())).toThrow(OnnxViewError);
    expect(() => viewGraphFromOnnx(new TextEncoder().encode("<html>not onnx</html>"))).toThrow(/ONNX/);
    const good = onnx.ModelProto.encode({ irVersion: 10, graph: { node: [{ opType: "Relu", input: ["x"], output: ["y"] }] } }).finish();
    expect(() => viewGraphFromOnnx(good.subarray(0, good.length - 3))).toThrow(OnnxViewError);
    expect(() => viewGraphFromOnnx(onnx.ModelProto.encode({ irVersion: 10 }).finish())).toThrow(/no graph/);
  });

  test("any bytes: a view or an OnnxViewError, nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          viewGraphFromOnnx(bytes);
        } catch (e) {
          if (!(e instanceof OnnxViewError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("nested subgraphs as deep as protobufjs reads; deeper files are an OnnxViewError", () => {
    const nested = (depth: number): onnx.GraphProto.$Properties => {
      let body: onnx.GraphProto.$Properties = { node: [{ opType: "Relu", input: ["x"], output: ["y0"] }], output: [vi("y0", [1])] };
      for (let d = 1; d < depth; d++) {
        body = { node: [{ opType: "If", input: ["c"], output: [`y${d}`], attribute: [{ name: "then_branch", type: T.GRAPH, g: body }] }], output: [vi(`y${d}`, [1])] };
      }
      return body;
    };
    // protobufjs stops at 100 nested messages (util.recursionLimit); a level is graph > node > attribute.
    const g = view({ graph: { input: [vi("x", [1]), vi("c", [], 9)], ...nested(30) } });
    expect(g.nodes.filter((n) => n.op === "Relu")).toHaveLength(1);
    expect(g.groups.filter((x) => x.kind === "subgraph")).toHaveLength(29);
    // Bytes of a deeper file (written with the encoder's own limit raised) are a readable error.
    const limit = protobuf.util.recursionLimit;
    protobuf.util.recursionLimit = 1000;
    const deep = onnx.ModelProto.encode({ irVersion: 10, graph: nested(40) }).finish();
    protobuf.util.recursionLimit = limit;
    expect(() => viewGraphFromOnnx(deep)).toThrow(OnnxViewError);
  });

});

describe("a model our converter writes", () => {
  const f32 = (...shape: (number | string)[]) => ({ shape, dtype: "float32" });
  const src = { file: 0, line: 7, col: 11, fn: "forward" };
  const header = {
    format: "jax2onnx-lab.capture",
    version: 1,
    producer: { jax: "0.10.2" },
    model: { name: "linear", inputs: ["x"], outputs: ["y"] },
    buffers: [{ dtype: "float32", shape: [3, 4], byteLength: 48, storage: "inline", name: "linear.kernel" }],
    files: ["model.py"],
    jaxpr: {
      invars: [{ id: 0, aval: f32("B", 3) }],
      constvars: [{ id: 1, aval: f32(3, 4), buffer: 0 }],
      eqns: [
        { prim: "dot_general", in: [{ var: 0 }, { var: 1 }], out: [{ id: 2, aval: f32("B", 4) }], params: { dimension_numbers: [[[1], [0]], [[], []]], precision: null, preferred_element_type: { $dtype: "float32" } }, src, scope: ["Model", "linear"] },
        { prim: "tanh", in: [{ var: 2 }], out: [{ id: 3, aval: f32("B", 4) }], params: {}, src, scope: ["Model", "linear"] },
        { prim: "neg", in: [{ var: 3 }], out: [{ id: 4, aval: f32("B", 4) }], params: {}, src: { ...src, line: 9 }, scope: ["Model"] },
      ],
      outvars: [{ var: 4 }],
    },
  };
  const kernel = Array.from({ length: 12 }, (_, i) => i - 5);
  const { chunks } = convertCapture(decodeCapture(header, [encodeScalars(kernel, "float32")]), { registry: defaultRegistry });
  const g = viewGraphFromOnnx(joinChunks(chunks, () => new Uint8Array()));

  test("sees every node with its scope, source and primitive, typed values and the weight's stats", () => {
    expect(g.nodes.filter((n) => n.kind === "op").map((n) => [n.op, n.parent, n.provenance.primitive, n.provenance.source])).toEqual([
      ["MatMul", "s:Model/linear", "dot_general", "model.py:7:11 (forward)"],
      ["Tanh", "s:Model/linear", "tanh", "model.py:7:11 (forward)"],
      ["Neg", "s:Model", "neg", "model.py:9:11 (forward)"],
    ]);
    expect(g.nodes.filter((n) => n.kind === "op").map((n) => formatType(n.outputs[0].type))).toEqual(["float32[B,4]", "float32[B,4]", "float32[B,4]"]);
    expect(formatType(g.inputs[0].type)).toBe("float32[B,3]");
    expect(tensorStats(g.initializers[0])).toMatchObject({ count: 12, min: -5, max: 6, zeros: 1 });
    expect(g.info.producer).toMatch(/^jax2onnx-lab/);
    expect(g.info.opsets).toEqual([{ domain: "", version: 21 }]);
  });
});
