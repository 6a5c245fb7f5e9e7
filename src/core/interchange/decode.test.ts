import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { CaptureDecodeError } from "./capture";
import { alignUp, concatBytes } from "./container";
import { decodeCapture, decodeCaptureBytes } from "./decode";
import { encodeCapture, encodeCaptureBytes } from "./encode";

const DELETE = Symbol("delete");

/** Sets (or with DELETE removes) the value at a dotted path such as "jaxpr.eqns.0.in.1". */
function edit(json: unknown, path: string, value: unknown): unknown {
  const keys = path.split(".");
  const last = keys.pop() as string;
  const parent = keys.reduce((o, k) => (o as Record<string, unknown>)[k], json) as Record<string, unknown>;
  if (value === DELETE) delete parent[last];
  else parent[last] = value;
  return json;
}

const f32 = (...shape: (number | string)[]) => ({ shape, dtype: "float32" });

/**
 * A small capture by hand: a host weight and an inline const, symbolic dims, a nested closed
 * jaxpr with its own const, scalar and array literals, a drop var, and one param of every tag.
 */
function sampleHeader(): Record<string, unknown> {
  return {
    format: "jax2onnx-lab.capture",
    version: 1,
    producer: { jax2onnx_lab: "0.1.0", jax: "0.10.2" },
    model: { name: "sample", opset: 18, inputs: ["x"], outputs: ["y", "n"] },
    files: ["/home/me/model.py", "/venv/site-packages/flax/nnx/nn/linear.py"],
    buffers: [
      { dtype: "float32", shape: [3], byteLength: 12, storage: "inline", name: "scale" },
      { dtype: "float32", shape: [4, 16], byteLength: 256, storage: "host", name: "linear1.kernel" },
      { dtype: "int32", shape: [2], byteLength: 8, storage: "inline" },
      { dtype: "int16", shape: [2, 3], byteLength: 12, storage: "inline" },
      { dtype: "float32", shape: [2], byteLength: 8, storage: "inline" },
    ],
    jaxpr: {
      invars: [{ id: 2, aval: f32("B", 4) }],
      constvars: [
        { id: 0, aval: f32(3), buffer: 0 },
        { id: 1, aval: f32(4, 16), buffer: 1 },
      ],
      outvars: [{ var: 3 }, { lit: 7, aval: { shape: [], dtype: "int32", weak: true } }],
      eqns: [
        {
          prim: "dot_general",
          in: [{ var: 2 }, { var: 1 }],
          params: { dimension_numbers: [[[1], [0]], [[], []]], precision: null, preferred_element_type: { $dtype: "float32" } },
          out: [{ id: 3, aval: f32("B", 16) }],
          scope: ["MLP", "linear1"],
          src: { file: 0, line: 12, col: 8, fn: "MLP.__call__" },
          lib: { file: 1, line: 422, col: 8, fn: "Linear.__call__" },
        },
        {
          prim: "reshape",
          in: [{ var: 3 }],
          params: { new_sizes: [{ $dim: "4*B" }, 4], dimensions: null },
          out: [{ id: 4, aval: f32("4*B", 4) }],
          scope: [],
          src: { file: 0, line: 13, col: -1 },
        },
        {
          prim: "mul",
          in: [{ var: 4 }, { lit: { $float: "-0" }, aval: f32() }],
          params: {},
          out: [{ id: 5, aval: f32("4*B", 4) }],
          scope: [],
        },
        {
          prim: "add",
          in: [{ var: 5 }, { lit: { $float: "nan" }, aval: { shape: [], dtype: "float32", weak: true } }],
          params: {},
          out: [{ id: 6, aval: f32("4*B", 4) }],
          scope: [],
        },
        {
          prim: "add",
          in: [{ lit: { $buffer: 2 }, aval: { shape: [2], dtype: "int32" } }, { lit: 1, aval: { shape: [], dtype: "int32" } }],
          params: {},
          out: [{ id: 7, aval: { shape: [2], dtype: "int32" } }],
          scope: [],
        },
        {
          prim: "add",
          in: [{ lit: { $int: "9223372036854775807" }, aval: { shape: [], dtype: "int64" } }, { lit: true, aval: { shape: [], dtype: "bool" } }],
          params: {},
          out: [{ id: 16, aval: { shape: [], dtype: "int64" } }],
          scope: [],
        },
        {
          prim: "scan",
          in: [{ var: 0 }, { var: 6 }],
          params: {
            reverse: true,
            length: { $dim: "4*B" },
            num_consts: 1,
            num_carry: 0,
            unroll: 1,
            jaxpr: {
              $jaxpr: {
                invars: [{ id: 9, aval: f32(3) }, { id: 10, aval: f32(4) }],
                constvars: [{ id: 8, aval: f32(2), buffer: 4 }],
                outvars: [{ var: 11 }],
                eqns: [
                  {
                    prim: "reduce_sum",
                    in: [{ var: 10 }],
                    params: { axes: [0] },
                    out: [{ id: 11, aval: f32() }],
                    scope: [],
                    src: { file: 0, line: 20, col: 4, fn: "body" },
                  },
                ],
              },
            },
          },
          out: [{ id: 12, aval: f32("4*B") }],
          scope: ["loop"],
        },
        {
          prim: "top_k",
          in: [{ var: 6 }],
          params: { k: 2 },
          out: [
            { id: 13, aval: f32("4*B", 2) },
            { id: 14, aval: { shape: ["4*B", 2], dtype: "int32" }, drop: true },
          ],
          scope: [],
        },
        {
          prim: "probe",
          in: [{ var: 2 }],
          params: {
            fill_value: { $float: -1 },
            half: 0.5,
            big: { $int: "-9007199254740993" },
            mode: { $enum: "GatherScatterMode", name: "FILL_OR_DROP" },
            dimension_numbers: {
              $struct: "GatherDimensionNumbers",
              offset_dims: [1],
              collapsed_slice_dims: [0],
              start_index_map: [0],
              operand_batching_dims: [],
              start_indices_batching_dims: [],
            },
            table: { $buffer: 3 },
            callback: { $opaque: "function" },
            options: { $dict: { alpha: 1, beta: [2.5, null], gamma: "x" } },
            flag: false,
            text: "ünïcode ✓",
            nothing: null,
            negative_zero: { $float: "-0" },
            minus_inf: { $float: "-inf" },
          },
          out: [{ id: 15, aval: f32("B", 4) }],
          scope: [],
        },
      ],
    },
  };
}

/** Inline buffers 0, 2, 3, 4 in order; buffer 1 is host. */
function sampleBlobs(): Uint8Array[] {
  return [
    new Uint8Array(new Float32Array([1, 2, 3]).buffer),
    new Uint8Array(new Int32Array([5, -6]).buffer),
    new Uint8Array(new Int16Array([0, 1, 2, 3, 4, 5]).buffer),
    new Uint8Array(new Float32Array([0.5, -0.5]).buffer),
  ];
}

const schema = JSON.parse(readFileSync(join(__dirname, "../../../docs/interchange.schema.json"), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateHeader = ajv.compile(schema);

describe("decode", () => {
  test("gives typed values", () => {
    const capture = decodeCapture(sampleHeader(), sampleBlobs());
    expect(capture.model).toEqual({ name: "sample", opset: 18, inputs: ["x"], outputs: ["y", "n"] });
    expect(capture.bufferBytes.map((b) => b?.byteLength ?? null)).toEqual([12, null, 8, 12, 8]);
    const [dot, reshape, mul, addNan, addArray, addBig, scan, topK, probe] = capture.jaxpr.eqns;
    expect(dot.inputs.map((a) => (a.kind === "var" ? a.var.id : null))).toEqual([2, 1]);
    expect(dot.src).toEqual({ file: "/home/me/model.py", line: 12, col: 8, fn: "MLP.__call__" });
    expect(dot.lib?.file).toBe("/venv/site-packages/flax/nnx/nn/linear.py");
    expect(dot.scope).toEqual(["MLP", "linear1"]);
    expect(dot.params.dtype("preferred_element_type")).toBe("float32");
    expect(dot.params.ints("dimension_numbers", 0, 0)).toEqual([1]);
    expect(reshape.params.dims("new_sizes")).toEqual(["4*B", 4]);
    expect(reshape.src).toEqual({ file: "/home/me/model.py", line: 13, col: -1 });
    expect(reshape.outputs[0].aval.shape).toEqual(["4*B", 4]);
    const negZero = mul.inputs[1];
    expect(negZero.kind === "literal" && "value" in negZero && Object.is(negZero.value, -0)).toBe(true);
    const nan = addNan.inputs[1];
    expect(nan.kind === "literal" && "value" in nan && Number.isNaN(nan.value)).toBe(true);
    expect(nan.kind === "literal" && nan.aval.weak).toBe(true);
    expect(addArray.inputs[0]).toMatchObject({ kind: "literal", buffer: 2 });
    expect(addBig.inputs[0]).toMatchObject({ kind: "literal", value: { bigint: "9223372036854775807" } });
    expect(addBig.inputs[1]).toMatchObject({ kind: "literal", value: true });
    const body = scan.params.jaxpr("jaxpr");
    expect(body.constvars).toEqual([{ id: 8, aval: { shape: [2], dtype: "float32" }, buffer: 4 }]);
    expect(body.eqns[0].src?.fn).toBe("body");
    expect(scan.params.dim("length")).toBe("4*B");
    expect(scan.params.bool("reverse")).toBe(true);
    expect(topK.outputs.map((v) => v.drop ?? false)).toEqual([false, true]);
    expect(probe.params.float("fill_value")).toBe(-1);
    expect(probe.params.float("half")).toBe(0.5);
    expect(probe.params.values.big).toEqual({ kind: "bigint", text: "-9007199254740993" });
    expect(probe.params.enumName("mode", "GatherScatterMode")).toBe("FILL_OR_DROP");
    expect(probe.params.structFields("dimension_numbers", "GatherDimensionNumbers").ints("offset_dims")).toEqual([1]);
    expect(probe.params.values.table).toEqual({ kind: "buffer", index: 3 });
    expect(probe.params.values.options).toEqual({ kind: "dict", entries: { alpha: 1, beta: [{ kind: "float", value: 2.5 }, null], gamma: "x" } });
    expect(Object.is(probe.params.float("negative_zero"), -0)).toBe(true);
    expect(probe.params.float("minus_inf")).toBe(-Infinity);
    expect(() => probe.params.get("callback")).toThrow(/primitive "probe": param "callback" holds a function/);
  });

  test("re-encodes to the same header and blobs", () => {
    const blobs = sampleBlobs();
    const { header, blobs: out } = encodeCapture(decodeCapture(sampleHeader(), blobs));
    expect(header).toEqual(sampleHeader());
    expect(out).toEqual(blobs);
    // And once more from the re-encoded form: a fixed point.
    expect(encodeCapture(decodeCapture(header, out)).header).toEqual(header);
  });

  test("re-encodes floats canonically: integral ones tagged, -0 as text, others bare", () => {
    const h = sampleHeader();
    edit(h, "jaxpr.eqns.1.params.dimensions", { $float: 2.0 });
    edit(h, "jaxpr.eqns.8.params.half", { $float: 0.5 });
    const { header } = encodeCapture(decodeCapture(h, sampleBlobs()));
    const json = JSON.stringify(header);
    expect(json).toContain('"dimensions":{"$float":2}');
    expect(json).toContain('"half":0.5');
    expect(json).toContain('"negative_zero":{"$float":"-0"}');
    expect(json).toContain('"lit":{"$float":"-0"}');
  });

  test("round-trips through container bytes", () => {
    const bytes = concatBytes(encodeCaptureBytes(decodeCapture(sampleHeader(), sampleBlobs())));
    const again = decodeCaptureBytes(bytes);
    expect(encodeCapture(again).header).toEqual(sampleHeader());
    expect(again.bufferBytes.map((b) => (b ? Array.from(b) : null))).toEqual(
      [sampleBlobs()[0], null, ...sampleBlobs().slice(1)].map((b) => (b ? Array.from(b) : null)),
    );
    // Inline buffers start 64-byte aligned from the container's start.
    for (const b of again.bufferBytes) if (b) expect(b.byteOffset % 64).toBe(0);
  });
});

describe("function calls (fn)", () => {
  test("decode to the eqn's fn and re-encode as they were; the schema accepts them", () => {
    const header = edit(sampleHeader(), "jaxpr.eqns.0.fn", { name: "MLPBlock", domain: "jax2onnx_lab.fn" });
    const capture = decodeCapture(header, sampleBlobs());
    expect(capture.jaxpr.eqns[0].fn).toEqual({ name: "MLPBlock", domain: "jax2onnx_lab.fn" });
    expect(capture.jaxpr.eqns[1].fn).toBeUndefined();
    const again = encodeCapture(capture).header as { jaxpr: { eqns: Record<string, unknown>[] } };
    expect(again.jaxpr.eqns[0].fn).toEqual({ name: "MLPBlock", domain: "jax2onnx_lab.fn" });
    expect("fn" in again.jaxpr.eqns[1]).toBe(false);
    expect(validateHeader(again)).toBe(true);
  });
});

describe("schema (docs/interchange.schema.json)", () => {
  test("accepts the sample and its re-encoding", () => {
    expect(validateHeader(sampleHeader())).toBe(true);
    const { header } = encodeCapture(decodeCapture(sampleHeader(), sampleBlobs()));
    expect(validateHeader(header)).toBe(true);
  });

  test.each<[string, string, unknown, string]>([
    ["a missing field", "files", DELETE, ""],
    ["an unknown top-level field", "extra", 1, ""],
    ["a wrong format", "format", "capture", "/format"],
    ["version 2", "version", 2, "/version"],
    ["an unknown dtype", "jaxpr.invars.0.aval.dtype", "float128", "/jaxpr/invars/0/aval/dtype"],
    ["a negative dim", "jaxpr.invars.0.aval.shape", [-1], "/jaxpr/invars/0/aval/shape/0"],
    ["a bad storage", "buffers.0.storage", "disk", "/buffers/0/storage"],
    ["an unknown param tag", "jaxpr.eqns.0.params.x", { $shape: [1] }, "/jaxpr/eqns/0/params/x"],
    ["a bare int beyond 2^53", "jaxpr.eqns.0.params.x", 2 ** 60, "/jaxpr/eqns/0/params/x"],
    ["a $float spelled NaN", "jaxpr.eqns.0.params.x", { $float: "NaN" }, "/jaxpr/eqns/0/params/x"],
    ["an $enum without name", "jaxpr.eqns.0.params.x", { $enum: "Mode" }, "/jaxpr/eqns/0/params/x"],
    ["a $struct with a $ field", "jaxpr.eqns.0.params.x", { $struct: "S", $dim: "B" }, "/jaxpr/eqns/0/params/x"],
    ["a broken nested jaxpr", "jaxpr.eqns.6.params.jaxpr.$jaxpr.eqns", DELETE, "/jaxpr/eqns/6/params/jaxpr"],
    ["an atom with var and lit", "jaxpr.eqns.0.in.0.lit", 1, "/jaxpr/eqns/0/in/0"],
    ["a literal without aval", "jaxpr.eqns.2.in.1.aval", DELETE, "/jaxpr/eqns/2/in/1"],
    ["a duplicate input name", "model.inputs", ["x", "x"], "/model/inputs"],
    ["an eqn without scope", "jaxpr.eqns.0.scope", DELETE, "/jaxpr/eqns/0"],
    ["a source without line", "jaxpr.eqns.0.src.line", DELETE, "/jaxpr/eqns/0/src"],
    ["a function call without domain", "jaxpr.eqns.0.fn", { name: "Block" }, "/jaxpr/eqns/0/fn"],
    ["a function name that is no identifier", "jaxpr.eqns.0.fn", { name: "my block", domain: "d" }, "/jaxpr/eqns/0/fn/name"],
  ])("rejects %s", (_, path, value, where) => {
    const h = edit(sampleHeader(), path, value);
    expect(validateHeader(h)).toBe(false);
    expect(validateHeader.errors?.some((e) => e.instancePath.startsWith(where))).toBe(true);
  });
});

describe("decode errors name the JSON path", () => {
  const decodeError = (header: unknown, blobs: Uint8Array[] = sampleBlobs()): CaptureDecodeError => {
    try {
      decodeCapture(header, blobs);
    } catch (e) {
      if (e instanceof CaptureDecodeError) return e;
      throw e;
    }
    throw new Error("decoded without error");
  };

  test.each<[string, string, unknown, string, RegExp]>([
    ["an unknown dtype", "jaxpr.invars.0.aval.dtype", "float128", "$.jaxpr.invars[0].aval.dtype", /unknown dtype "float128"/],
    ["an unknown buffer dtype", "buffers.2.dtype", "int4", "$.buffers[2].dtype", /unknown dtype "int4"/],
    ["a var used before its definition", "jaxpr.eqns.0.in.0.var", 5, "$.jaxpr.eqns[0].in[0].var", /var 5 is used before it is defined/],
    ["an outer var inside a nested jaxpr", "jaxpr.eqns.6.params.jaxpr.$jaxpr.eqns.0.in.0.var", 2, "$.jaxpr.eqns[6].params.jaxpr.$jaxpr.eqns[0].in[0].var", /var 2 is used before/],
    ["a var defined twice", "jaxpr.eqns.1.out.0.id", 3, "$.jaxpr.eqns[1].out[0].id", /var 3 is defined twice/],
    ["an unknown param tag", "jaxpr.eqns.8.params.mode", { $mode: "clip" }, "$.jaxpr.eqns[8].params.mode", /unknown param encoding \(keys: \$mode\)/],
    ["an untagged object param", "jaxpr.eqns.1.params.new_sizes.0", { dim: "B" }, "$.jaxpr.eqns[1].params.new_sizes[0]", /unknown param encoding/],
    ["a bad $float", "jaxpr.eqns.8.params.fill_value", { $float: "NaN" }, "$.jaxpr.eqns[8].params.fill_value.$float", /"nan", "inf", "-inf" or "-0"/],
    ["a constvar buffer out of range", "jaxpr.constvars.0.buffer", 5, "$.jaxpr.constvars[0].buffer", /no buffer 5 \(the capture has 5\)/],
    ["a $buffer param out of range", "jaxpr.eqns.8.params.table", { $buffer: -1 }, "$.jaxpr.eqns[8].params.table.$buffer", /no buffer -1/],
    ["an array literal's buffer out of range", "jaxpr.eqns.4.in.0.lit", { $buffer: 9 }, "$.jaxpr.eqns[4].in[0].lit.$buffer", /no buffer 9/],
    ["a constvar whose buffer has another type", "jaxpr.constvars.0.buffer", 2, "$.jaxpr.constvars[0].buffer", /buffer 2 is int32\[2\] but the value is float32\[3\]/],
    ["a byteLength that does not fit dtype and shape", "buffers.1.byteLength", 255, "$.buffers[1].byteLength", /byteLength 255 does not fit float32\[4,16\] \(256 bytes\)/],
    ["a negative buffer dim", "buffers.1.shape", [-4, -16], "$.buffers[1].shape[0]", /negative dimension/],
    ["a source file out of range", "jaxpr.eqns.0.lib.file", 2, "$.jaxpr.eqns[0].lib.file", /no file 2 in \$.files/],
    ["too few output names", "model.outputs", ["y"], "$.model.outputs", /1 names for 2 outputs/],
    ["a wrong format", "format", "onnx", "$.format", /expected "jax2onnx-lab.capture"/],
    ["version 2", "version", 2, "$.version", /version 2 is not supported/],
    ["a non-integer id", "jaxpr.invars.0.id", 2.5, "$.jaxpr.invars[0].id", /expected an integer/],
    ["a function name that is no identifier", "jaxpr.eqns.0.fn", { name: "my block", domain: "d" }, "$.jaxpr.eqns[0].fn.name", /"my block" is not a valid ONNX function name/],
  ])("%s", (_, at, value, path, message) => {
    const e = decodeError(edit(sampleHeader(), at, value));
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`invalid capture at ${path}: `)).toBe(true);
    expect(e.name).toBe("CaptureDecodeError");
  });

  test("a blob whose size differs from byteLength", () => {
    const blobs = sampleBlobs();
    blobs[1] = blobs[1].subarray(0, 4); // buffer 2 (int32[2]) is the second inline buffer
    const e = decodeError(sampleHeader(), blobs);
    expect(e.path).toBe("$.buffers[2]");
    expect(e.message).toMatch(/byteLength 8 but 4 bytes were sent/);
  });

  test("a missing blob and an extra blob", () => {
    expect(decodeError(sampleHeader(), sampleBlobs().slice(0, 3)).path).toBe("$.buffers[4]");
    const extra = decodeError(sampleHeader(), [...sampleBlobs(), new Uint8Array(4)]);
    expect(extra.path).toBe("$.buffers");
    expect(extra.message).toMatch(/4 inline buffers but 5 were sent/);
  });
});

describe("container bytes", () => {
  test("inline buffers follow the header at 64-byte boundaries, in table order", () => {
    const bytes = concatBytes(encodeCaptureBytes(decodeCapture(sampleHeader(), sampleBlobs())));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe("J2OCAP");
    expect(view.getUint16(6, true)).toBe(1);
    const n = view.getUint32(8, true);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n)))).toEqual(sampleHeader());
    let at = 12 + n;
    for (const blob of sampleBlobs()) {
      const start = alignUp(at);
      expect(Array.from(bytes.subarray(at, start)).every((b) => b === 0)).toBe(true);
      expect(Array.from(bytes.subarray(start, start + blob.byteLength))).toEqual(Array.from(blob));
      at = start + blob.byteLength;
    }
    expect(at).toBe(bytes.byteLength);
  });
});
