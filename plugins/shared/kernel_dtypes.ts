/**
 * Dtypes onnxruntime has no kernel for, per op, and the cast around them. Measured with
 * onnxruntime 1.32 (CPU) and onnxruntime-web 1.30 (wasm), which agree: each op below was run on
 * every dtype and these are the ones both refuse ("... data type is not supported" or no kernel
 * registered), except int8 / uint32 Where, which only onnxruntime-web lacks. The casts are exact:
 * every value of the lacking dtype is a value of `via`, and ordering (TopK, min/max) is kept;
 * uint64 -> int64 wraps, which a pure selection (Where) does not mind.
 */
import { onnxTypeCode, type DType, type LoweringContext, type Value } from "../../src/core";

const LACKING: Readonly<Record<string, Readonly<Partial<Record<DType, DType>>>>> = {
  Pad: { int16: "int32", uint16: "int32" },
  Where: { bool: "uint8", int8: "int32", int16: "int32", uint16: "int32", uint32: "int64", uint64: "int64" },
  TopK: { bool: "uint8", uint16: "int32", uint32: "int64" },
  "ScatterND.add": { float16: "float32" },
  "ScatterND.mul": { float16: "float32" },
  "ScatterND.max": { bool: "uint8", float16: "float32" },
  "ScatterND.min": { bool: "uint8", float16: "float32" },
  "ScatterElements.add": { float16: "float32" },
  "ScatterElements.mul": { float16: "float32" },
  "ScatterElements.max": { bool: "uint8", float16: "float32" },
  "ScatterElements.min": { bool: "uint8", float16: "float32" },
};

/** The dtype `op` (e.g. "Pad", "ScatterND.add") runs `dtype` as, or `dtype` when it has a kernel. */
export function kernelDtype(op: string, dtype: DType): DType {
  return LACKING[op]?.[dtype] ?? dtype;
}

export const castTo = (ctx: LoweringContext, v: Value, dtype: DType): Value => (v.type.dtype === dtype ? v : ctx.op("Cast", [v], { to: onnxTypeCode(dtype) }));

/**
 * Emits `op` on `data` inputs cast to the dtype it has a kernel for and casts output 0 back.
 * Inputs that are not data (indices, shapes) are passed as they are; `emit` gets the data cast.
 */
export function withKernelDtype(ctx: LoweringContext, op: string, data: readonly Value[], emit: (data: Value[]) => Value): Value {
  const dtype = data[0].type.dtype;
  const via = kernelDtype(op, dtype);
  const out = emit(data.map((v) => castTo(ctx, v, via)));
  return castTo(ctx, out, dtype);
}
