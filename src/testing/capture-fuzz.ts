/**
 * Property-based fuzzing of the capture reader and the converter behind it (issue 9, item 2).
 * The property: for any bytes, decoding either succeeds or throws a ContainerError or a
 * CaptureDecodeError; a capture that decodes either converts (and the ONNX it gives reads back)
 * or fails with a ConversionError. Anything else (a TypeError, a stack overflow, a protobufjs
 * error) is a bug. Inputs are mutants of real captures (fuzz-seeds/, scripts/gen-fuzz-seeds.py):
 * byte-level (truncation, flips, insertions, a forged header length, random bytes) and
 * header-level (a value anywhere in the JSON replaced by a hostile one, deleted, duplicated or
 * swapped with a sibling).
 *
 * Used by decode.fuzz.test.ts (fixed seed, a few seconds) and bench/fuzz.ts (the long run).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { defaultRegistry } from "../../plugins";
import { CaptureDecodeError } from "../core/interchange/capture";
import { ContainerError, readContainer, writeContainer, concatBytes } from "../core/interchange/container";
import { decodeCaptureBytes } from "../core/interchange/decode";
import { ConversionError } from "../core/lower/errors";
import { convertCapture } from "../core/convert";
import { joinChunks } from "../core/serialize/chunks";
import { readOnnxModel } from "../core/onnx/read-model";
import { summarizeModel } from "../core/onnx/summary";
import { formatSummary } from "../core/onnx/format-summary";

export const SEED_DIR = path.join(__dirname, "fuzz-seeds");

export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly header: unknown;
  readonly blobs: readonly Uint8Array[];
}

export function loadSeeds(dir = SEED_DIR): Seed[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".j2o"))
    .sort()
    .map((f) => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(dir, f)));
      const raw = readContainer(bytes, (h) =>
        ((h as { buffers: { storage: string; byteLength: number }[] }).buffers ?? []).flatMap((b, index) => (b.storage === "inline" ? [{ index, size: b.byteLength }] : [])),
      );
      return { name: f.replace(/\.j2o$/, ""), bytes, header: raw.header, blobs: raw.blobs };
    });
}

/**
 * `internal`: the converter threw an error of its own that is not a ConversionError, for a
 * capture that decoded but is not a program JAX could make (say, broadcast_dimensions that do not
 * fit the operand). Hosts report these as internal errors; the fuzzers count them and keep the
 * first messages, and fail only on what a host cannot survive (see captureOutcome).
 */
export type Outcome = "rejected" | "not_convertible" | "converted" | "internal";

/** Thrown when the property fails: a bad input got an untyped error. */
export class FuzzFinding extends Error {
  override name = "FuzzFinding";
}

/** Runs one input through decode -> convert -> serialize -> read back; classifies the result. */
export function captureOutcome(bytes: Uint8Array): Outcome {
  let capture;
  try {
    capture = decodeCaptureBytes(bytes);
  } catch (e) {
    if (e instanceof ContainerError || e instanceof CaptureDecodeError) return "rejected";
    throw new FuzzFinding(`decode threw ${describe(e)}`);
  }
  let result;
  try {
    result = convertCapture(capture, { registry: defaultRegistry });
  } catch (e) {
    if (e instanceof ConversionError) return "not_convertible";
    // A stack overflow or an allocation failure means the decoder let through a capture too big
    // or too deep to convert; a non-Error throw is a bug everywhere.
    if (!(e instanceof Error) || e instanceof RangeError) throw new FuzzFinding(`convert threw ${describe(e)}`);
    internalErrors.add(`${e.name}: ${e.message.slice(0, 200)}`);
    return "internal";
  }
  try {
    const model = joinChunks(result.chunks, (p) => capture.bufferBytes[p.buffer]!);
    formatSummary("fuzz.onnx", summarizeModel(readOnnxModel(model)));
  } catch (e) {
    throw new FuzzFinding(`the converted model does not read back: ${describe(e)}`);
  }
  return "converted";
}

/** Distinct internal-error messages seen so far (a bounded sample, for the report). */
export const internalErrors = new Set<string>();

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
}

/** Deeply nested arrays: past the decoder's depth limit, and still small enough to stringify. */
const nested = (depth: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

/** Values that break naive readers: wrong types, out-of-range numbers, hostile strings, tags. */
const HOSTILE: readonly unknown[] = [
  null, true, -1, -0, 0.5, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 + 2, 1e308, -1e308,
  "", "B", "B + (", "2*B", "floordiv(B, 0)", "x".repeat(300), "__proto__", "constructor",
  "<img src=x onerror=alert(1)>", "\u0000\u001b[2J", "\ud800",
  [], [[]], {}, { $dim: "B" }, { $buffer: 0 }, { $buffer: 99 }, { $jaxpr: {} }, { $float: "nan" }, { $int: "99999999999999999999" },
  { $unknown: 1 }, { var: 0 }, { var: 99 }, { lit: 1, aval: { shape: [], dtype: "float32" } },
  { id: 0, aval: { shape: [2 ** 20, 2 ** 20, 2 ** 20], dtype: "float32" } },
  { id: 1, aval: { shape: new Array(65).fill(1), dtype: "int8" } },
  nested(600),
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 40 }) },
);

type Key = string | number;

/** Every path in a JSON tree (root excluded), in a stable order. */
function paths(v: unknown, prefix: Key[] = [], out: Key[][] = []): Key[][] {
  if (v === null || typeof v !== "object") return out;
  const entries: [Key, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    out.push([...prefix, k]);
    paths(x, [...prefix, k], out);
  }
  return out;
}

const pathCache = new WeakMap<object, Key[][]>();
function seedPaths(seed: Seed): Key[][] {
  const header = seed.header as object;
  if (!pathCache.has(header)) pathCache.set(header, paths(header));
  return pathCache.get(header)!;
}

function parentOf(root: unknown, p: readonly Key[]): { parent: Record<Key, unknown> | unknown[]; key: Key } | null {
  let at = root;
  for (const k of p.slice(0, -1)) {
    if (at === null || typeof at !== "object") return null;
    at = (at as Record<Key, unknown>)[k];
  }
  if (at === null || typeof at !== "object") return null;
  return { parent: at as Record<Key, unknown>, key: p[p.length - 1] };
}

interface HeaderEdit {
  readonly kind: "replace" | "delete" | "duplicate" | "swap";
  readonly at: number;
  readonly other: number;
  readonly value: unknown;
}

function applyEdit(header: unknown, all: readonly Key[][], edit: HeaderEdit): void {
  const target = parentOf(header, all[edit.at % all.length]);
  if (!target) return;
  const { parent, key } = target;
  if (edit.kind === "replace") (parent as Record<Key, unknown>)[key] = structuredClone(edit.value);
  else if (Array.isArray(parent)) {
    const i = key as number;
    if (i >= parent.length) return;
    if (edit.kind === "delete") parent.splice(i, 1);
    else if (edit.kind === "duplicate") parent.splice(i, 0, structuredClone(parent[i]));
    else {
      const j = edit.other % parent.length;
      [parent[i], parent[j]] = [parent[j], parent[i]];
    }
  } else if (edit.kind === "delete") delete (parent as Record<Key, unknown>)[key];
}

/** A fuzz input that prints as how it was made, not as its bytes (fast-check's counterexamples). */
export class FuzzInput {
  constructor(
    readonly bytes: Uint8Array,
    readonly how: string,
  ) {}

  [fc.toStringMethod](): string {
    return `FuzzInput(${this.bytes.byteLength} bytes: ${this.how})`;
  }
}

/** A real capture with one to four edits of its JSON header (the buffers kept as they were). */
export function headerMutant(seeds: readonly Seed[]): fc.Arbitrary<FuzzInput> {
  const edit = fc.record({ kind: fc.constantFrom("replace", "delete", "duplicate", "swap"), at: fc.nat(), other: fc.nat(), value: hostileValue });
  return fc.record({ seed: fc.nat(), edits: fc.array(edit, { minLength: 1, maxLength: 4 }), dropBlob: fc.boolean() }).map(({ seed: s, edits, dropBlob }) => {
    const seed = seeds[s % seeds.length];
    const header = structuredClone(seed.header);
    const all = seedPaths(seed);
    for (const e of edits as HeaderEdit[]) applyEdit(header, all, e);
    const blobs = dropBlob ? seed.blobs.slice(1) : seed.blobs;
    const how = (edits as HeaderEdit[]).map((e) => `${e.kind} ${JSON.stringify(all[e.at % all.length])}${e.kind === "replace" ? ` = ${JSON.stringify(e.value)?.slice(0, 80)}` : ""}`);
    return new FuzzInput(concatBytes(writeContainer(header, blobs)), `${seed.name}: ${how.join("; ")}${dropBlob ? "; first blob dropped" : ""}`);
  });
}

/** A real capture with its bytes damaged: truncated, flipped, spliced, a forged header length. */
export function byteMutant(seeds: readonly Seed[]): fc.Arbitrary<FuzzInput> {
  return fc
    .record({
      seed: fc.nat(),
      kind: fc.constantFrom("truncate", "flip", "insert", "overwrite", "headerLength", "version"),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      value: fc.nat({ max: 0xffffffff }),
    })
    .map(({ seed: s, kind, at, bytes, value }) => {
      const seed = seeds[s % seeds.length];
      const src = seed.bytes;
      const i = at % src.byteLength;
      const out = new Uint8Array(src);
      const view = new DataView(out.buffer);
      const made = (b: Uint8Array): FuzzInput => new FuzzInput(b, `${seed.name}: ${kind} at ${i} (${[...bytes].join(",")}; ${value})`);
      switch (kind) {
        case "truncate": return made(src.slice(0, i));
        case "flip": bytes.forEach((b, k) => { out[(i + k * 7919) % out.byteLength] ^= b || 1; }); return made(out);
        case "insert": return made(concatBytes([src.subarray(0, i), bytes, src.subarray(i)]));
        case "overwrite": out.set(bytes.subarray(0, out.byteLength - i), i); return made(out);
        case "headerLength": view.setUint32(8, value, true); return made(out);
        case "version": view.setUint16(6, value & 0xffff, true); return made(out);
      }
      return made(out);
    });
}

/** Random bytes, half of them behind a valid magic and version so the header parser is reached. */
export const randomContainer: fc.Arbitrary<FuzzInput> = fc
  .record({ prefix: fc.boolean(), body: fc.uint8Array({ maxLength: 2048 }) })
  .map(({ prefix, body }) => new FuzzInput(prefix ? concatBytes([Uint8Array.from([74, 50, 79, 67, 65, 80, 1, 0]), body]) : body, prefix ? "magic + random" : "random"));

export interface FuzzStats {
  runs: number;
  outcomes: Record<Outcome, number>;
  slowestMs: number;
}

export const newStats = (): FuzzStats => ({ runs: 0, outcomes: { rejected: 0, not_convertible: 0, converted: 0, internal: 0 }, slowestMs: 0 });

/** One property run, counted into `stats`; fails on an untyped error or a slow input. */
export function checkCapture(stats: FuzzStats, input: FuzzInput | Uint8Array, maxMs: number): void {
  const bytes = input instanceof FuzzInput ? input.bytes : input;
  const start = performance.now();
  const outcome = captureOutcome(bytes);
  const ms = performance.now() - start;
  stats.runs++;
  stats.outcomes[outcome]++;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (ms > maxMs) throw new FuzzFinding(`an input of ${bytes.byteLength} bytes took ${ms.toFixed(0)} ms (limit ${maxMs} ms)`);
}
