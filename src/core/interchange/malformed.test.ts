/**
 * Every kind of broken capture issue 9 lists, each rejected with a typed error that says what and
 * where: by the container reader, the decoder, or (for programs that decode but cannot convert)
 * the converter. The inputs are edits of real captures (src/testing/fuzz-seeds).
 */
import { defaultRegistry } from "../../../plugins";
import { loadSeeds } from "../../testing/capture-fuzz";
import { convertCapture } from "../convert";
import { ConversionError } from "../lower/errors";
import { CaptureDecodeError } from "./capture";
import { ContainerError, concatBytes, writeContainer } from "./container";
import { decodeCapture, decodeCaptureBytes } from "./decode";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test edits of untyped JSON

const seeds = Object.fromEntries(loadSeeds().map((s) => [s.name, s]));

/** The symbolic seed (reshape, iota, broadcast, a nested jit) edited by `edit`. */
function edited(edit: (h: Json) => void, name = "symbolic"): { header: Json; bytes: Uint8Array } {
  const header = structuredClone(seeds[name].header) as Json;
  edit(header);
  return { header, bytes: concatBytes(writeContainer(header, seeds[name].blobs)) };
}

const container = (header: Json, blobs: readonly Uint8Array[] = []): Uint8Array => concatBytes(writeContainer(header, blobs));

function rejects(bytes: Uint8Array, type: typeof ContainerError | typeof CaptureDecodeError, message: RegExp): void {
  let caught: unknown;
  try {
    decodeCaptureBytes(bytes);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(message);
}

function conversionFails(bytes: Uint8Array, kind: ConversionError["kind"], message: RegExp): void {
  const capture = decodeCaptureBytes(bytes);
  let caught: unknown;
  try {
    convertCapture(capture, { registry: defaultRegistry });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConversionError);
  expect((caught as ConversionError).kind).toBe(kind);
  expect((caught as Error).message).toMatch(message);
}

const eqn = (h: Json, prim: string): Json => h.jaxpr.eqns.find((e: Json) => e.prim === prim);

describe("the container", () => {
  const good = seeds.mlp.bytes;
  it.each([
    ["empty", new Uint8Array(0), /missing J2OCAP magic/],
    ["truncated in the prefix", good.slice(0, 9), /missing J2OCAP magic/],
    ["truncated in the header", good.slice(0, 100), /truncated inside its header/],
    ["truncated in a buffer", good.slice(0, good.byteLength - 10), /truncated in buffer \d+/],
    ["wrong magic", Uint8Array.from([...good.slice(0, 5), 0x58, ...good.slice(6)]), /missing J2OCAP magic/],
    ["version 2", (() => { const b = good.slice(); b[6] = 2; return b; })(), /capture version 2 is not supported.*re-capture/],
    ["header length past the end", (() => { const b = good.slice(); new DataView(b.buffer).setUint32(8, 0xffffffff, true); return b; })(), /truncated inside its header/],
    ["header not JSON", container({}).map((x, i) => (i === 12 ? 0x7b : i === 13 ? 0x7b : x)), /not valid JSON/],
  ])("%s", (_name, bytes, message) => rejects(bytes, ContainerError, message));
});

describe("the header", () => {
  it.each<[string, (h: Json) => void, RegExp]>([
    ["header version 2", (h) => { h.version = 2; }, /\$\.version: version 2 is not supported/],
    ["a buffer index out of range", (h) => { eqn(h, "iota").params.shape = [{ $buffer: 7 }]; }, /\$buffer: no buffer 7 \(the capture has 0\)/],
    ["a negative buffer index", (h) => { eqn(h, "iota").params.shape = [{ $buffer: -1 }]; }, /no buffer -1/],
    ["a var used before its definition", (h) => { eqn(h, "mul").in[1] = { var: 8 }; }, /eqns\[3\]\.in\[1\]\.var: var 8 is used before it is defined/],
    ["a cycle (two eqns using each other's outputs)", (h) => {
      eqn(h, "mul").in[0] = { var: 7 }; // the jit eqn's output, which itself uses mul's output
    }, /var 7 is used before it is defined/],
    ["a var defined twice", (h) => { eqn(h, "iota").out[0].id = 1; }, /var 1 is defined twice/],
    ["an outer var used inside a nested jaxpr", (h) => { eqn(h, "jit").params.jaxpr.$jaxpr.eqns[0].in[0] = { var: 4 }; }, /\$jaxpr\.eqns\[0\]\.in\[0\]\.var: var 4 is used before/],
    ["an unknown param tag", (h) => { eqn(h, "iota").params.dtype = { $pickle: "gASVCAAAAAAAAACMBHRlc3SULg==" }; }, /unknown param encoding \(keys: \$pickle\)/],
    ["an unknown dtype", (h) => { eqn(h, "iota").out[0].aval.dtype = "int4"; }, /unknown dtype "int4"/],
    ["a negative dimension", (h) => { h.jaxpr.invars[0].aval.shape = ["B", -2, 3]; }, /invars\[0\]\.aval\.shape\[1\]: negative dimension -2/],
    ["2^40 elements", (h) => { eqn(h, "iota").out[0].aval.shape = [2 ** 20, 2 ** 20]; }, /1099511627776 elements is beyond 2\^40/],
    ["a dimension past 2^53", (h) => { eqn(h, "iota").out[0].aval.shape = [2 ** 60]; }, /beyond 2\^53/],
    ["rank 65", (h) => { eqn(h, "iota").out[0].aval.shape = new Array(65).fill(1); }, /rank 65 is beyond numpy's 64/],
    ["a symbolic dim that does not parse", (h) => { h.jaxpr.invars[0].aval.shape = ["B + (", 2, 3]; }, /invars\[0\]\.aval\.shape\[0\]: .*dimension "B \+ \("/],
    ["a $dim param that does not parse", (h) => { eqn(h, "reshape").params.new_sizes = [{ $dim: "2**B" }, 3]; }, /new_sizes\[0\]\.\$dim: .*dimension/],
    ["a symbolic dim of 10,000 characters", (h) => { h.jaxpr.invars[0].aval.shape = ["(".repeat(5000) + "B" + ")".repeat(5000), 2, 3]; }, /of 10001 characters \(at most 256\)/],
    ["fewer input names than invars", (h) => { h.model.inputs = []; }, /\$\.model\.inputs: 0 names for 1 inputs/],
    ["an int literal past 2^53 written bare (it lost its exact value)", (h) => {
      h.jaxpr.outvars[1] = { lit: 2 ** 60, aval: { shape: [], dtype: "int32" } };
    }, /outvars\[1\]\.lit: integer literal \d+ is beyond 2\^53; write it as \{"\$int"/],
    ["a source file index out of range", (h) => { eqn(h, "iota").src.file = 3; }, /src\.file: no file 3/],
  ])("%s", (_name, edit, message) => rejects(edited(edit).bytes, CaptureDecodeError, message));

  it("checks buffers against their bytes", () => {
    const mlp = seeds.mlp;
    const header = structuredClone(mlp.header) as Json;
    rejects(container(header, mlp.blobs.slice(1)), ContainerError, /truncated in buffer \d+/);
    expect(() => decodeCapture(header, mlp.blobs.slice(1))).toThrow(/byteLength \d+ but \d+ bytes were sent|inline buffer has no bytes/);
    expect(() => decodeCapture(header, [...mlp.blobs, new Uint8Array(4)])).toThrow(/inline buffers but \d+ were sent/);
    header.buffers[0].byteLength += 4;
    rejects(container(header, mlp.blobs), CaptureDecodeError, /does not fit float32\[/);
    header.buffers[0].byteLength = -4;
    rejects(container(header, mlp.blobs), CaptureDecodeError, /negative byteLength -4/);
  });

  it("rejects a constvar whose buffer holds another type", () => {
    const header = structuredClone(seeds.mlp.header) as Json;
    header.jaxpr.constvars[0].buffer = header.jaxpr.constvars[1].buffer;
    rejects(container(header, seeds.mlp.blobs), CaptureDecodeError, /buffer \d+ is float32\[.*\] but the value is float32\[/);
  });
});

describe("deep nesting", () => {
  /** The symbolic seed with `deep` (JSON text) as iota's `dimension` param. */
  function withParamText(deep: string): Uint8Array {
    const text = JSON.stringify(edited((h) => { eqn(h, "iota").params.dimension = "__DEEP__"; }).header).replace('"__DEEP__"', deep);
    const json = new TextEncoder().encode(text);
    const prefix = new Uint8Array(12);
    prefix.set([74, 50, 79, 67, 65, 80, 1, 0]);
    new DataView(prefix.buffer).setUint32(8, json.byteLength, true);
    return concatBytes([prefix, json]);
  }

  it("rejects 10,000 nested arrays in a param", () => {
    rejects(withParamText("[".repeat(10000) + "]".repeat(10000)), CaptureDecodeError, /\$\.jaxpr\.eqns\[1\]\.params\.dimension(\[0\])+: nested deeper than 512 levels/);
  });

  it("rejects 10,000 nested jaxprs", () => {
    const level = (inner: string): string => `{"$jaxpr":{"invars":[],"constvars":[],"outvars":[],"eqns":[{"prim":"jit","in":[],"out":[],"params":{"jaxpr":${inner}}}]}}`;
    let text = "null";
    for (let i = 0; i < 10000; i++) text = level(text);
    rejects(withParamText(text), CaptureDecodeError, /nested deeper than 512 levels/);
  });

  it("accepts the nesting real programs have", () => {
    const level = (inner: string): string => `{"$jaxpr":{"invars":[],"constvars":[],"outvars":[],"eqns":[{"prim":"jit","in":[],"out":[],"params":{"jaxpr":${inner}}}]}}`;
    let text = "null";
    for (let i = 0; i < 50; i++) text = level(text);
    expect(() => decodeCaptureBytes(withParamText(text))).not.toThrow();
  });
});

describe("programs that decode but cannot convert", () => {
  it("names an unknown primitive", () => {
    conversionFails(edited((h) => { eqn(h, "iota").prim = "frobnicate"; }).bytes, "unsupported_primitives", /frobnicate/);
  });

  it("names a param of the wrong type", () => {
    conversionFails(edited((h) => { eqn(h, "iota").params.dimension = "zero"; }).bytes, "lowering_failed", /iota.*param "dimension" is string, expected an int/s);
  });

  it("names an opaque param a rule needs", () => {
    conversionFails(edited((h) => { eqn(h, "iota").params.dimension = { $opaque: "Mesh" }; }).bytes, "lowering_failed", /param "dimension" holds a Mesh/);
  });
});
