/**
 * Reads an ONNX ModelProto from bytes that came from anywhere (a file from the internet, a
 * notebook user's path): every way they can be broken is one OnnxReadError saying what is wrong
 * and what to do, never a protobufjs exception, a stack overflow or an allocation the size of a
 * corrupted length field.
 */
import { onnx } from "../proto/onnx";

export class OnnxReadError extends Error {
  // Hosts classify errors by name (the CLI, the widget); Error's own is "Error".
  override name = "OnnxReadError";
}

/** Protobuf cannot represent a message of 2 GiB or more; bigger weights live in external data. */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

/** int64 fields decode as `Long`s when the `long` package resolves (it does in Node, not
 * necessarily in a browser bundle), else as plain numbers; a hand-built message may hold either. */
export interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned?: boolean;
}
export type Int64 = number | LongLike;

const isLongLike = (x: unknown): x is LongLike =>
  typeof x === "object" && x !== null && typeof (x as LongLike).low === "number" && typeof (x as LongLike).high === "number";

/** An int64 as a number when it is exact, else its decimal text (INT64_MAX in a Slice, dims beyond 2^53 are not sizes); 0 when missing. */
export function int64Value(v: Int64 | null | undefined): number | string {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (!isLongLike(v)) return 0;
  const big = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  const value = v.unsigned ? big : BigInt.asIntN(64, big);
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

/**
 * Decodes `bytes` as a ModelProto. Rejects what is not one: empty input, a message past
 * protobuf's 2 GiB, bytes protobufjs cannot decode (truncation, bad wire types, lengths past the
 * end, nesting past protobufjs' recursion limit of 100), and messages without a graph or an IR
 * version (random bytes can decode as a message of unknown fields).
 */
export function readOnnxModel(bytes: Uint8Array, source = "the input"): onnx.ModelProto {
  const what = `${source} is not a readable ONNX model`;
  if (bytes.byteLength === 0) throw new OnnxReadError(`${what}: it is empty`);
  if (bytes.byteLength > MAX_MODEL_BYTES) {
    throw new OnnxReadError(`${what}: ${bytes.byteLength} bytes is past protobuf's 2 GiB limit for one message (models that big keep their weights in external data files)`);
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new OnnxReadError(`${what}: protobuf decoding failed (${reason}); the file is truncated, corrupted or not ONNX`);
  }
  const ir = int64Value(model.irVersion);
  if (!model.graph) throw new OnnxReadError(`${what}: it has no graph (is it an ONNX file? re-export it, or check the path)`);
  if (typeof ir !== "number" || ir <= 0) throw new OnnxReadError(`${what}: its ir_version is ${ir}; ONNX models have a positive ir_version`);
  return model;
}
