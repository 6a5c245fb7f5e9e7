/**
 * Element types shared by the interchange (JAX names) and ONNX (TensorProto.DataType codes).
 * JAX names are numpy's (`float32`, `bfloat16`, `bool`); ONNX codes are from onnx.proto.
 */

export const DTYPES = {
  float32: { onnx: 1, bytes: 4 },
  uint8: { onnx: 2, bytes: 1 },
  int8: { onnx: 3, bytes: 1 },
  uint16: { onnx: 4, bytes: 2 },
  int16: { onnx: 5, bytes: 2 },
  int32: { onnx: 6, bytes: 4 },
  int64: { onnx: 7, bytes: 8 },
  bool: { onnx: 9, bytes: 1 },
  float16: { onnx: 10, bytes: 2 },
  float64: { onnx: 11, bytes: 8 },
  uint32: { onnx: 12, bytes: 4 },
  uint64: { onnx: 13, bytes: 8 },
  complex64: { onnx: 14, bytes: 8 },
  complex128: { onnx: 15, bytes: 16 },
  bfloat16: { onnx: 16, bytes: 2 },
  float8_e4m3fn: { onnx: 17, bytes: 1 },
  float8_e4m3fnuz: { onnx: 18, bytes: 1 },
  float8_e5m2: { onnx: 19, bytes: 1 },
  float8_e5m2fnuz: { onnx: 20, bytes: 1 },
} as const;

export type DType = keyof typeof DTYPES;

export function isDType(name: string): name is DType {
  return Object.prototype.hasOwnProperty.call(DTYPES, name);
}

export function onnxTypeCode(dtype: DType): number {
  return DTYPES[dtype].onnx;
}

export function dtypeByteSize(dtype: DType): number {
  return DTYPES[dtype].bytes;
}

const FLOATS: ReadonlySet<DType> = new Set<DType>([
  "float16", "bfloat16", "float32", "float64",
  "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
]);
const SIGNED_INTS: ReadonlySet<DType> = new Set<DType>(["int8", "int16", "int32", "int64"]);
const UNSIGNED_INTS: ReadonlySet<DType> = new Set<DType>(["uint8", "uint16", "uint32", "uint64"]);

export const isFloat = (d: DType): boolean => FLOATS.has(d);
export const isSignedInt = (d: DType): boolean => SIGNED_INTS.has(d);
export const isUnsignedInt = (d: DType): boolean => UNSIGNED_INTS.has(d);
export const isInteger = (d: DType): boolean => isSignedInt(d) || isUnsignedInt(d);
export const isComplex = (d: DType): boolean => d === "complex64" || d === "complex128";

/** Writes scalar `values` of `dtype` as little-endian bytes (the layout of TensorProto.raw_data). */
export function encodeScalars(values: readonly (number | boolean | bigint)[], dtype: DType): Uint8Array {
  const size = dtypeByteSize(dtype);
  const integer = isInteger(dtype);
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0, at = 0; i < values.length; i++, at += size) {
    const raw = values[i];
    const v = typeof raw === "number" ? raw : Number(raw);
    if (integer && !Number.isInteger(v)) throw new Error(`${raw} is not an integer, cannot be stored as ${dtype}`);
    switch (dtype) {
      case "float32": view.setFloat32(at, v, true); break;
      case "float64": view.setFloat64(at, v, true); break;
      case "float16": view.setUint16(at, float32ToFloat16Bits(v), true); break;
      case "bfloat16": view.setUint16(at, float32ToBfloat16Bits(v), true); break;
      case "int8": view.setInt8(at, v); break;
      case "uint8": case "bool": view.setUint8(at, v); break;
      case "int16": view.setInt16(at, v, true); break;
      case "uint16": view.setUint16(at, v, true); break;
      case "int32": view.setInt32(at, v, true); break;
      case "uint32": view.setUint32(at, v, true); break;
      // int64 values beyond 2^53 arrive as bigint (JAX int64 literals such as iinfo.max): exact.
      case "int64": view.setBigInt64(at, typeof raw === "bigint" ? raw : BigInt(v), true); break;
      case "uint64": view.setBigUint64(at, typeof raw === "bigint" ? raw : BigInt(v), true); break;
      default: throw new Error(`cannot encode scalars of dtype ${dtype}`);
    }
  }
  return out;
}

/** Reads little-endian `bytes` of `dtype` as JS numbers (int64 beyond 2^53 loses precision). */
export function decodeScalars(bytes: Uint8Array, dtype: DType): number[] {
  const size = dtypeByteSize(dtype);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 0; at + size <= bytes.byteLength; at += size) {
    switch (dtype) {
      case "float32": out.push(view.getFloat32(at, true)); break;
      case "float64": out.push(view.getFloat64(at, true)); break;
      case "float16": out.push(float16BitsToNumber(view.getUint16(at, true))); break;
      case "bfloat16": out.push(bfloat16BitsToNumber(view.getUint16(at, true))); break;
      case "int8": out.push(view.getInt8(at)); break;
      case "uint8": case "bool": out.push(view.getUint8(at)); break;
      case "int16": out.push(view.getInt16(at, true)); break;
      case "uint16": out.push(view.getUint16(at, true)); break;
      case "int32": out.push(view.getInt32(at, true)); break;
      case "uint32": out.push(view.getUint32(at, true)); break;
      case "int64": out.push(Number(view.getBigInt64(at, true))); break;
      case "uint64": out.push(Number(view.getBigUint64(at, true))); break;
      default: throw new Error(`cannot decode scalars of dtype ${dtype}`);
    }
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds through float32, as ml_dtypes (JAX's bfloat16) does from a float64. */
function float32ToBfloat16Bits(v: number): number {
  f32[0] = v;
  const bits = u32[0];
  if (Number.isNaN(v)) return 0x7fc0;
  // round to nearest even on the 16 dropped bits
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function bfloat16BitsToNumber(bits: number): number {
  u32[0] = bits << 16;
  return f32[0];
}

/**
 * `v` as a float32 rounded to odd (an inexact result keeps an odd last bit). Rounding that to
 * float16 gives what rounding `v` directly does (numpy's float64 -> float16); rounding to nearest
 * twice does not: 1 + 2^-11 + 2^-40 would become exactly halfway and round down to 1.
 */
function float32RoundedToOdd(v: number): number {
  const r = Math.fround(v);
  if (r === v || !Number.isFinite(r)) return r;
  f32[0] = r;
  // The bit patterns of same-sign floats are ordered by magnitude: one step toward `v`.
  if ((u32[0] & 1) === 0) u32[0] += Math.abs(r) < Math.abs(v) ? 1 : -1;
  return f32[0];
}

function float32ToFloat16Bits(v: number): number {
  f32[0] = float32RoundedToOdd(v);
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The dtype of an ONNX TensorProto.DataType code (e.g. Cast's `to`). */
export function dtypeFromOnnxCode(code: number): DType {
  for (const [name, info] of Object.entries(DTYPES)) if (info.onnx === code) return name as DType;
  throw new Error(`ONNX data type ${code} has no dtype here`);
}
