/**
 * Typed reads of decoded protobufjs messages. Every field of a decoded proto2 message may be
 * missing (or null when built by hand), repeated fields included, and int64 fields arrive as
 * `Long` objects when the `long` package resolves, else as plain numbers.
 */
import { int64Value, type Int64 } from "../../core/onnx/read-model";
import { onnx } from "../../core/proto/onnx";

/** A repeated field as a (possibly empty) array. */
export function list<T>(field: readonly T[] | null | undefined): readonly T[] {
  return field ?? [];
}

export function text(field: string | null | undefined): string {
  return field ?? "";
}

/** An int64 as a number when it is exact, else as its decimal string (core's reading, shared with `inspect`). */
export const int64 = int64Value;

/** An int64 where only a number makes sense (dims, versions); huge values become NaN-free Infinity-free numbers. */
export function int64Number(field: Int64 | null | undefined): number {
  const v = int64(field);
  return typeof v === "number" ? v : Number(v);
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** ONNX strings are bytes; shown as UTF-8 (invalid sequences as U+FFFD). */
export function bytesText(field: Uint8Array | null | undefined): string {
  return field ? utf8.decode(field) : "";
}

export function entries(props: readonly onnx.StringStringEntryProto.$Properties[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list(props)) out[text(p.key)] = text(p.value);
  return out;
}

/** TensorProto.DataType codes (onnx.proto) to the dtype names the widget shows (numpy's). */
const DTYPE_NAMES: Readonly<Record<number, string>> = {
  0: "undefined",
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  14: "complex64",
  15: "complex128",
  16: "bfloat16",
  17: "float8e4m3fn",
  18: "float8e4m3fnuz",
  19: "float8e5m2",
  20: "float8e5m2fnuz",
  21: "uint4",
  22: "int4",
  23: "float4e2m1",
  24: "float8e8m0",
  25: "uint2",
  26: "int2",
};

export function dtypeName(code: number | null | undefined): string {
  const c = code ?? 0;
  return DTYPE_NAMES[c] ?? `dtype#${c}`;
}

/** Bits per element of each dtype code, for byte counts (0: not fixed-size, e.g. string). */
export function dtypeBits(code: number): number {
  switch (code) {
    case 1: case 6: case 12: return 32;
    case 2: case 3: case 9: case 17: case 18: case 19: case 20: case 24: return 8;
    case 4: case 5: case 10: case 16: return 16;
    case 7: case 11: case 13: case 14: return 64;
    case 15: return 128;
    case 21: case 22: case 23: return 4;
    case 25: case 26: return 2;
    default: return 0;
  }
}
