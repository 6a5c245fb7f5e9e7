import { defaultRegistry } from "../../../plugins";
import { decodeCapture } from "../interchange/decode";
import { ConversionError } from "./errors";
import { lowerCapture } from "./lower";

/*
 * Captures are written here as the Python side sends them (interchange v1 headers, see
 * src/core/interchange/decode.ts), so each test reads as the program it lowers.
 */
const f32 = (...shape: (number | string)[]) => ({ shape, dtype: "float32" });
const src = (line: number, fn = "forward") => ({ file: 0, line, col: 4, fn });

function capture(jaxpr: object, model: { inputs: string[]; outputs: string[] }, buffers: object[] = [], blobs: Uint8Array[] = []) {
  const header = {
    format: "jax2onnx-lab.capture",
    version: 1,
    producer: { jax: "0.10.2" },
    model: { name: "model", ...model },
    buffers,
    files: ["/home/user/model.py"],
    jaxpr,
  };
  return decodeCapture(header, blobs);
}

function conversionError(run: () => unknown): ConversionError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConversionError) return e;
    throw e;
  }
  throw new Error("expected a ConversionError");
}

describe("unsupported primitives", () => {
  // my_custom_prim(x); jit(inner){ nested_fake_prim; my_custom_prim }; another_fake_prim; my_custom_prim
  const program = capture(
    {
      invars: [{ id: 0, aval: f32(2, 3) }],
      constvars: [],
      eqns: [
        { prim: "my_custom_prim", in: [{ var: 0 }], out: [{ id: 1, aval: f32(2, 3) }], params: {}, src: src(10), scope: ["MLP", "linear1"] },
        {
          prim: "jit",
          in: [{ var: 1 }],
          out: [{ id: 2, aval: f32(2, 3) }],
          params: {
            name: "inner",
            jaxpr: {
              $jaxpr: {
                invars: [{ id: 0, aval: f32(2, 3) }],
                constvars: [],
                eqns: [
                  { prim: "nested_fake_prim", in: [{ var: 0 }], out: [{ id: 1, aval: f32(2, 3) }], params: {}, src: src(20, "inner") },
                  // No source of its own (library code): reported at the jit call.
                  { prim: "my_custom_prim", in: [{ var: 1 }], out: [{ id: 2, aval: f32(2, 3) }], params: {} },
                ],
                outvars: [{ var: 2 }],
              },
            },
          },
          src: src(11),
        },
        { prim: "another_fake_prim", in: [{ var: 2 }], out: [{ id: 3, aval: f32(2, 3) }], params: {}, src: src(12) },
        { prim: "my_custom_prim", in: [{ var: 3 }], out: [{ id: 4, aval: f32(2, 3) }], params: {}, src: src(13) },
      ],
      outvars: [{ var: 4 }],
    },
    { inputs: ["x"], outputs: ["y"] },
  );

  test("are all reported in one error, nested jaxprs included, in program order", () => {
    const e = conversionError(() => lowerCapture(program, { registry: defaultRegistry }));
    expect(e.kind).toBe("unsupported_primitives");
    expect(e.sites.map((s) => [s.primitive, s.source, s.scope])).toEqual([
      ["my_custom_prim", "/home/user/model.py:10:4 (forward)", "MLP/linear1"],
      ["nested_fake_prim", "/home/user/model.py:20:4 (inner)", ""],
      ["my_custom_prim", "/home/user/model.py:11:4 (forward)", ""],
      ["another_fake_prim", "/home/user/model.py:12:4 (forward)", ""],
      ["my_custom_prim", "/home/user/model.py:13:4 (forward)", ""],
    ]);
  });

  test("the message groups them by primitive with signature and source", () => {
    const { message } = conversionError(() => lowerCapture(program, { registry: defaultRegistry }));
    expect(message).toContain("Cannot convert: 3 JAX primitives have no ONNX lowering rule: my_custom_prim, nested_fake_prim, another_fake_prim.");
    expect(message).toContain("  my_custom_prim  (3 uses)\n    (f32[2,3]) -> f32[2,3]  at /home/user/model.py:10:4 (forward)  in MLP/linear1\n");
    expect(message).toContain("  nested_fake_prim  (1 use)\n    (f32[2,3]) -> f32[2,3]  at /home/user/model.py:20:4 (inner)\n");
    expect(message).toContain("plugins/index.ts");
  });

  test("random ops come with a hint about training mode", () => {
    const random = capture(
      {
        invars: [{ id: 0, aval: { shape: [2], dtype: "uint32" } }],
        constvars: [],
        eqns: [{ prim: "random_bits", in: [{ var: 0 }], out: [{ id: 1, aval: { shape: [4], dtype: "uint32" } }], params: { bit_width: 32, shape: [4] }, src: src(5) }],
        outvars: [{ var: 1 }],
      },
      { inputs: ["key"], outputs: ["bits"] },
    );
    expect(conversionError(() => lowerCapture(random, { registry: defaultRegistry })).message).toMatch(/hint: .*deterministic=True/);
  });
});

describe("rule failures", () => {
  // reshape(x, dimensions=(1, 0)); add(x, v) with shapes that do not broadcast; neg of the reshape
  const program = capture(
    {
      invars: [
        { id: 0, aval: f32(2, 3) },
        { id: 1, aval: f32(4) },
      ],
      constvars: [],
      eqns: [
        { prim: "reshape", in: [{ var: 0 }], out: [{ id: 2, aval: f32(6) }], params: { new_sizes: [6], dimensions: [1, 0], sharding: null }, src: src(30), scope: ["Block"] },
        { prim: "add", in: [{ var: 0 }, { var: 1 }], out: [{ id: 3, aval: f32(2, 3) }], params: {}, src: src(31) },
        { prim: "neg", in: [{ var: 2 }], out: [{ id: 4, aval: f32(6) }], params: {}, src: src(32) },
      ],
      outvars: [{ var: 4 }, { var: 3 }],
    },
    { inputs: ["x", "v"], outputs: ["y", "z"] },
  );

  test("each failure is collected with primitive, signature, source and reason; lowering goes on", () => {
    const e = conversionError(() => lowerCapture(program, { registry: defaultRegistry }));
    expect(e.kind).toBe("lowering_failed");
    expect(e.sites).toHaveLength(2);
    expect(e.sites[0]).toMatchObject({ primitive: "reshape", signature: "(f32[2,3]) -> f32[6]", source: "/home/user/model.py:30:4 (forward)", scope: "Block" });
    expect(e.sites[0].reason).toMatch(/`dimensions`/);
    expect(e.sites[1]).toMatchObject({ primitive: "add", signature: "(f32[2,3], f32[4]) -> f32[2,3]", source: "/home/user/model.py:31:4 (forward)" });
    expect(e.sites[1].reason).toMatch(/do not broadcast/);
    expect(e.message).toMatch(/^Cannot convert: 2 equations could not be lowered\./);
    expect(e.message).toContain("  reshape (f32[2,3]) -> f32[6]  at /home/user/model.py:30:4 (forward)  in Block\n    reshape with `dimensions`");
  });
});

describe("graph outputs", () => {
  // return x, neg(x), neg(x), c   (c: a constant)
  const program = capture(
    {
      invars: [{ id: 0, aval: f32(2) }],
      constvars: [{ id: 9, aval: f32(2), buffer: 0 }],
      eqns: [{ prim: "neg", in: [{ var: 0 }], out: [{ id: 1, aval: f32(2) }], params: {}, src: src(40) }],
      outvars: [{ var: 0 }, { var: 1 }, { var: 1 }, { var: 9 }],
    },
    { inputs: ["x"], outputs: ["same", "negated", "negated_again", "constant"] },
    [{ dtype: "float32", shape: [2], byteLength: 8, storage: "inline", name: "c" }],
    [new Uint8Array(8)],
  );

  test("an input, a repeated value or a constant is returned through an Identity", () => {
    const { graph } = lowerCapture(program, { registry: defaultRegistry });
    expect(graph.nodes.map((n) => `${n.op}(${n.inputs.map((v) => v?.name).join(", ")}) -> ${n.outputs.map((v) => v.name).join(", ")}`)).toEqual([
      "Neg(x) -> negated",
      "Identity(x) -> same",
      "Identity(negated) -> negated_again",
      "Identity(c) -> constant",
    ]);
    expect(graph.outputs.map((v) => v.name)).toEqual(["same", "negated", "negated_again", "constant"]);
    expect(graph.inputs.map((v) => v.name)).toEqual(["x"]);
  });

  test("nodes carry the eqn's primitive and source; the Identities none", () => {
    const { graph } = lowerCapture(program, { registry: defaultRegistry });
    expect(graph.nodes.map((n) => n.metadata)).toEqual([{ primitive: "neg", source: "/home/user/model.py:40:4 (forward)" }, {}, {}, {}]);
  });
});
