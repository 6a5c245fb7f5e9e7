/**
 * Summary statistics of a tensor's elements, computed on demand (the inspector asks for one
 * tensor at a time, so opening a model with 100M weights costs nothing until a weight is looked at).
 * Raw bytes are little-endian (TensorProto.raw_data); float16 / bfloat16 are widened bit by bit.
 */
import type { TensorStats, ViewTensor } from "./types";

type ElementReader = (view: DataView, index: number) => number;

const READERS: Readonly<Record<string, { readonly bytes: number; readonly read: ElementReader }>> = {
  float32: { bytes: 4, read: (v, i) => v.getFloat32(i * 4, true) },
  float64: { bytes: 8, read: (v, i) => v.getFloat64(i * 8, true) },
  float16: { bytes: 2, read: (v, i) => float16ToNumber(v.getUint16(i * 2, true)) },
  bfloat16: { bytes: 2, read: (v, i) => bfloat16ToNumber(v.getUint16(i * 2, true)) },
  int8: { bytes: 1, read: (v, i) => v.getInt8(i) },
  uint8: { bytes: 1, read: (v, i) => v.getUint8(i) },
  bool: { bytes: 1, read: (v, i) => (v.getUint8(i) ? 1 : 0) },
  int16: { bytes: 2, read: (v, i) => v.getInt16(i * 2, true) },
  uint16: { bytes: 2, read: (v, i) => v.getUint16(i * 2, true) },
  int32: { bytes: 4, read: (v, i) => v.getInt32(i * 4, true) },
  uint32: { bytes: 4, read: (v, i) => v.getUint32(i * 4, true) },
  int64: { bytes: 8, read: (v, i) => Number(v.getBigInt64(i * 8, true)) },
  uint64: { bytes: 8, read: (v, i) => Number(v.getBigUint64(i * 8, true)) },
};

/** IEEE 754 binary16 bits to a number (subnormals, infinities and NaN included). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 is the top half of a float32. */
export function bfloat16ToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (bits & 0xffff) << 16);
  return view.getFloat32(0);
}

/** Whether the widget can read this dtype's elements from raw bytes. */
export const canReadElements = (dtype: string): boolean => dtype in READERS;

/** Decodes `count` elements of `dtype` from little-endian raw bytes (null for unreadable dtypes). */
export function elementsFromBytes(bytes: Uint8Array, dtype: string, count: number): Float64Array | null {
  const reader = READERS[dtype];
  if (!reader || bytes.byteLength < count * reader.bytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = reader.read(view, i);
  return out;
}

function statsOf(count: number, at: (i: number) => number): TensorStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  let zeros = 0;
  let nans = 0;
  let infs = 0;
  for (let i = 0; i < count; i++) {
    const x = at(i);
    if (Number.isNaN(x)) { nans++; continue; }
    if (x === 0) zeros++;
    if (!Number.isFinite(x)) { infs++; continue; }
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    finite++;
  }
  const mean = finite ? sum / finite : NaN;
  // Two passes for the variance: one-pass sum-of-squares loses everything on large-mean weights.
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const x = at(i);
    if (Number.isFinite(x)) squares += (x - mean) * (x - mean);
  }
  return {
    count,
    min: finite ? min : NaN,
    max: finite ? max : NaN,
    mean,
    std: finite ? Math.sqrt(squares / finite) : NaN,
    zeros,
    nans,
    infs,
  };
}

const memo = new WeakMap<ViewTensor, TensorStats | null>();

const elementCount = (t: ViewTensor): number => t.shape.reduce((a, b) => a * b, 1);

/**
 * The tensor's statistics from its own elements when the file holds them, else the host's
 * (`ViewExtras.tensorStats`), else null (external data, strings, packed 4-bit types).
 */
export function tensorStats(t: ViewTensor): TensorStats | null {
  if (memo.has(t)) return memo.get(t) ?? null;
  let stats: TensorStats | null = t.hostStats ?? null;
  const count = elementCount(t);
  if (t.data.kind === "raw" && READERS[t.dtype]) {
    const reader = READERS[t.dtype];
    if (t.data.bytes.byteLength >= count * reader.bytes) {
      const bytes = t.data.bytes;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      stats = statsOf(count, (i) => reader.read(view, i));
    }
  } else if (t.data.kind === "numbers" && t.data.values.length >= count) {
    const values = t.data.values;
    stats = statsOf(count, (i) => values[i]);
  }
  memo.set(t, stats);
  return stats;
}
