/**
 * Property-based fuzzing of the ONNX reader and what reads its result (issue 9, item 3): for any
 * bytes, `readOnnxModel` returns a model or throws an OnnxReadError; a model it returns
 * summarizes and formats without throwing, and the text it prints holds no control characters
 * that came from the file. Inputs are mutants of real models: the converter's output for the
 * seed captures and a hand-made model with the parts the converter does not make (functions,
 * subgraphs, external data, sparse and typed-field tensors), damaged at the byte level or edited
 * at the protobuf wire level (a field's payload replaced by a hostile string, a varint set to an
 * absurd value, a field deleted or repeated), with every enclosing length kept right so the edit
 * reaches deep into the message.
 *
 * Used by read-model.fuzz.test.ts (fixed seed, a few seconds) and bench/fuzz.ts (the long run).
 */
import fc from "fast-check";
import { defaultRegistry } from "../../plugins";
import { convertCapture } from "../core/convert";
import { decodeCaptureBytes } from "../core/interchange/decode";
import { concatBytes } from "../core/interchange/container";
import { formatSummary } from "../core/onnx/format-summary";
import { OnnxReadError, readOnnxModel } from "../core/onnx/read-model";
import { summarizeModel } from "../core/onnx/summary";
import { onnx } from "../core/proto/onnx";
import { joinChunks } from "../core/serialize/chunks";
import { FuzzFinding, FuzzInput, loadSeeds } from "./capture-fuzz";

/** Strings a model can carry that must never reach a terminal or a page as they are. */
export const HOSTILE_STRINGS: readonly string[] = [
  "<img src=x onerror=alert(1)>",
  "\u001b]0;owned\u0007\u001b[2J",
  "\u202egnp.exe",
  "__proto__",
  "A".repeat(20_000),
  "",
];

/** A model with what the converter does not emit: functions, If subgraphs, external and sparse tensors. */
export function handMadeModel(): Uint8Array {
  const T = onnx.AttributeProto.AttributeType;
  const f32 = (dims: (number | string)[]): onnx.TypeProto.$Properties => ({
    tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } },
  });
  const branch = (op: string): onnx.GraphProto.$Properties => ({
    name: `${op}_branch`,
    node: [{ opType: op, input: ["x"], output: [`${op}_out`] }],
    output: [{ name: `${op}_out`, type: f32(["N"]) }],
  });
  return onnx.ModelProto.encode({
    irVersion: 10,
    opsetImport: [{ domain: "", version: 21 }, { domain: "local", version: 1 }],
    producerName: "hand-made",
    metadataProps: [{ key: "author", value: "tests" }],
    functions: [{ name: "Double", domain: "local", input: ["a"], output: ["b"], node: [{ opType: "Add", input: ["a", "a"], output: ["b"] }], opsetImport: [{ domain: "", version: 21 }] }],
    graph: {
      name: "hand_made",
      input: [{ name: "x", type: f32(["N"]) }, { name: "flag", type: { tensorType: { elemType: 9, shape: { dim: [] } } } }, { name: "seq", type: { sequenceType: { elemType: f32([2]) } } }],
      output: [{ name: "y", type: f32(["N"]) }],
      initializer: [
        { name: "w", dims: [2], dataType: 1, floatData: [1, 2] },
        { name: "big", dims: [1024], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: "location", value: "weights.bin" }, { key: "offset", value: "0" }, { key: "length", value: "4096" }] },
      ],
      sparseInitializer: [{ values: { name: "sv", dims: [1], dataType: 1, floatData: [3] }, indices: { name: "si", dims: [1], dataType: 7, int64Data: [0] }, dims: [4] }],
      node: [
        { opType: "If", input: ["flag"], output: ["z"], attribute: [{ name: "then_branch", type: T.GRAPH, g: branch("Relu") }, { name: "else_branch", type: T.GRAPH, g: branch("Neg") }] },
        { opType: "Double", domain: "local", input: ["z"], output: ["y"], metadataProps: [{ key: "note", value: "a local function call" }] },
      ],
    },
  }).finish();
}

/** ONNX seeds: the converter's models for the seed captures that convert, and the hand-made one. */
export function onnxSeeds(captureSeedDir?: string): { name: string; bytes: Uint8Array }[] {
  const seeds: { name: string; bytes: Uint8Array }[] = [];
  for (const s of loadSeeds(captureSeedDir)) {
    const capture = decodeCaptureBytes(s.bytes);
    try {
      const result = convertCapture(capture, { registry: defaultRegistry });
      seeds.push({ name: s.name, bytes: joinChunks(result.chunks, (p) => capture.bufferBytes[p.buffer]!) });
    } catch {
      // A seed that uses primitives without rules yet gives no ONNX seed.
    }
  }
  return [...seeds, { name: "hand_made", bytes: handMadeModel() }];
}

// -- protobuf wire format: enough to edit a field anywhere and keep every length right ------------

interface WireField {
  readonly num: number;
  readonly wire: number;
  /** The value's bytes: a varint's encoding, 4 or 8 fixed bytes, or a length-delimited payload. */
  raw: Uint8Array;
  /** A length-delimited payload that parses as a message itself. */
  children?: WireField[];
}

function readVarint(b: Uint8Array, at: number): [bigint, number] | null {
  let v = 0n;
  for (let i = 0; i < 10; i++) {
    if (at + i >= b.byteLength) return null;
    v |= BigInt(b[at + i] & 0x7f) << BigInt(7 * i);
    if (!(b[at + i] & 0x80)) return [v, at + i + 1];
  }
  return null;
}

function varint(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? byte | 0x80 : byte);
  } while (x);
  return Uint8Array.from(out);
}

/** Parses a message's fields, or null when the bytes are not a clean message. */
function parseWire(b: Uint8Array, depth = 0): WireField[] | null {
  const fields: WireField[] = [];
  let at = 0;
  while (at < b.byteLength) {
    const tag = readVarint(b, at);
    if (!tag) return null;
    const [key, next] = tag;
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (num < 1 || num > 2 ** 29) return null;
    let end: number;
    let start = next;
    if (wire === 0) {
      const v = readVarint(b, next);
      if (!v) return null;
      end = v[1];
    } else if (wire === 1 || wire === 5) end = next + (wire === 1 ? 8 : 4);
    else if (wire === 2) {
      const len = readVarint(b, next);
      if (!len) return null;
      start = len[1];
      end = start + Number(len[0]);
    } else return null;
    if (end > b.byteLength) return null;
    const raw = b.subarray(start, end);
    const children = wire === 2 && depth < 40 && raw.byteLength ? parseWire(raw, depth + 1) ?? undefined : undefined;
    fields.push({ num, wire, raw, ...(children ? { children } : {}) });
    at = end;
  }
  return fields;
}

function serializeWire(fields: readonly WireField[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    parts.push(varint(BigInt(f.num * 8 + f.wire)));
    const body = f.children ? serializeWire(f.children) : f.raw;
    if (f.wire === 2) parts.push(varint(BigInt(body.byteLength)));
    parts.push(body);
  }
  return concatBytes(parts);
}

const parsed = new WeakMap<Uint8Array, WireField[]>();
function parsedSeed(bytes: Uint8Array): WireField[] {
  if (!parsed.has(bytes)) parsed.set(bytes, parseWire(bytes)!);
  return parsed.get(bytes)!;
}

const cloneWire = (fields: readonly WireField[]): WireField[] =>
  fields.map((f) => ({ num: f.num, wire: f.wire, raw: f.raw, ...(f.children ? { children: cloneWire(f.children) } : {}) }));

function allFields(fields: WireField[], out: { list: WireField[]; owner: WireField[] }[] = []): { list: WireField[]; owner: WireField[] }[] {
  for (const f of fields) {
    out.push({ list: fields, owner: [f] });
    if (f.children) allFields(f.children, out);
  }
  return out;
}

const HOSTILE_VARINTS = [0n, 1n, -1n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 30n];

/** A seed model with one to three wire-level edits, every enclosing length recomputed. */
export function wireMutant(seeds: readonly { name: string; bytes: Uint8Array }[]): fc.Arbitrary<FuzzInput> {
  const edit = fc.record({
    kind: fc.constantFrom("string", "bytes", "varint", "delete", "repeat"),
    at: fc.nat(),
    pick: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 24 }),
  });
  return fc.record({ seed: fc.nat(), edits: fc.array(edit, { minLength: 1, maxLength: 3 }) }).map(({ seed: s, edits }) => {
    const seed = seeds[s % seeds.length];
    const root = cloneWire(parsedSeed(seed.bytes));
    const how: string[] = [];
    for (const e of edits) {
      const all = allFields(root);
      if (!all.length) break;
      const { list, owner } = all[e.at % all.length];
      const f = owner[0];
      const i = list.indexOf(f);
      how.push(`${e.kind} field ${f.num} (#${e.at % all.length})`);
      if (e.kind === "delete") list.splice(i, 1);
      else if (e.kind === "repeat") list.splice(i, 0, { ...f, ...(f.children ? { children: [...f.children] } : {}) });
      else if (e.kind === "varint") {
        list[i] = { num: f.num, wire: 0, raw: varint(HOSTILE_VARINTS[e.pick % HOSTILE_VARINTS.length]) };
      } else {
        const raw = e.kind === "string" ? new TextEncoder().encode(HOSTILE_STRINGS[e.pick % HOSTILE_STRINGS.length]) : e.bytes;
        list[i] = { num: f.num, wire: 2, raw };
      }
    }
    return new FuzzInput(serializeWire(root), `${seed.name}: ${how.join("; ")}`);
  });
}

/** A seed model damaged at the byte level: truncated, flipped, spliced. */
export function onnxByteMutant(seeds: readonly { name: string; bytes: Uint8Array }[]): fc.Arbitrary<FuzzInput> {
  return fc
    .record({ seed: fc.nat(), kind: fc.constantFrom("truncate", "flip", "insert"), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) })
    .map(({ seed: s, kind, at, bytes }) => {
      const seed = seeds[s % seeds.length];
      const i = at % seed.bytes.byteLength;
      const out = new Uint8Array(seed.bytes);
      if (kind === "truncate") return new FuzzInput(seed.bytes.slice(0, i), `${seed.name}: truncated at ${i}`);
      if (kind === "insert") return new FuzzInput(concatBytes([seed.bytes.subarray(0, i), bytes, seed.bytes.subarray(i)]), `${seed.name}: ${bytes.byteLength} bytes inserted at ${i}`);
      bytes.forEach((b, k) => { out[(i + k * 7919) % out.byteLength] ^= b || 1; });
      return new FuzzInput(out, `${seed.name}: ${bytes.byteLength} bytes flipped from ${i}`);
    });
}

export interface OnnxFuzzStats {
  runs: number;
  rejected: number;
  read: number;
  slowestMs: number;
}

export const newOnnxStats = (): OnnxFuzzStats => ({ runs: 0, rejected: 0, read: 0, slowestMs: 0 });

// Printed text may hold newlines (it is several lines) and nothing else below U+0020.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * What reads the fuzzed bytes: `consume` returns text it would show (checked for control
 * characters) or null; a throw must be a typed rejection (`rejects`). inspect's reader is the
 * default; the widget's view model (`viewGraphFromOnnx`) plugs in the same way.
 */
export interface OnnxConsumer {
  readonly name: string;
  consume(bytes: Uint8Array): string | null;
  rejects(e: unknown): boolean;
}

export const inspectReader: OnnxConsumer = {
  name: "inspect",
  consume: (bytes) => formatSummary("fuzz.onnx", summarizeModel(readOnnxModel(bytes))),
  rejects: (e) => e instanceof OnnxReadError,
};

/** One run: fails on an untyped error, unsafe text or a slow input. */
export function checkOnnx(stats: OnnxFuzzStats, input: FuzzInput, maxMs: number, consumer: OnnxConsumer = inspectReader): void {
  const start = performance.now();
  let text: string | null = null;
  let rejected = false;
  try {
    text = consumer.consume(input.bytes);
  } catch (e) {
    if (!consumer.rejects(e)) throw new FuzzFinding(`${consumer.name}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
    rejected = true;
  }
  const ms = performance.now() - start;
  stats.runs++;
  if (rejected) stats.rejected++;
  else stats.read++;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (text !== null && CONTROL.test(text)) throw new FuzzFinding(`${consumer.name} shows a control character: ${JSON.stringify(text.match(CONTROL)?.[0])}`);
  if (ms > maxMs) throw new FuzzFinding(`${consumer.name}: an input of ${input.bytes.byteLength} bytes took ${ms.toFixed(0)} ms`);
}
