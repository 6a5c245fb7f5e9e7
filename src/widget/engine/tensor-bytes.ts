/** Tensor bytes <-> typed arrays, for onnxruntime-web's tensors and for the parity comparison. */
import { float16ToNumber } from "../view-model/tensor-stats";

export type NumericArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

const ARRAYS: Record<string, { new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray; BYTES_PER_ELEMENT: number }> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  // onnxruntime-web holds bool and float16 tensors as bytes / 16-bit words.
  bool: Uint8Array,
  float16: Uint16Array,
};

export class TensorBytesError extends Error {
  override name = "TensorBytesError";
}

/** A typed view of `bytes` (copied once if misaligned, as typed arrays need aligned offsets). */
export function typedArray(dtype: string, bytes: Uint8Array): NumericArray {
  const T = ARRAYS[dtype];
  if (!T) throw new TensorBytesError(`tensors of dtype ${dtype} cannot be run in the browser`);
  if (bytes.byteLength % T.BYTES_PER_ELEMENT) throw new TensorBytesError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  const aligned = bytes.byteOffset % T.BYTES_PER_ELEMENT === 0 ? bytes : bytes.slice();
  return new T(aligned.buffer, aligned.byteOffset, aligned.byteLength / T.BYTES_PER_ELEMENT);
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The elements as numbers (int64 beyond 2^53 lose precision, which the comparison tolerates). */
export function toNumbers(dtype: string, bytes: Uint8Array): Float64Array {
  const a = typedArray(dtype, bytes);
  const out = new Float64Array(a.length);
  if (dtype === "float16") for (let i = 0; i < a.length; i++) out[i] = float16ToNumber(Number(a[i]));
  else for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  return out;
}
