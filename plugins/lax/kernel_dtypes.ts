/**
 * Ops whose ONNX type constraint leaves a dtype out, or for which onnxruntime (CPU and the wasm
 * build onnxruntime-web runs) has no kernel, are computed in a wider dtype and cast back.
 * Every entry was measured with onnxruntime 1.32 and onnxruntime-web 1.30 (a session on a
 * one-node model); `kernel_dtypes_cases.py` converts a JAX program hitting each one.
 *
 * The casts are exact: values widen without loss, and the cast back is a two's-complement
 * truncation (ONNX Cast between integer types wraps in both runtimes), which is the wrap-around
 * JAX's own integer sums and products have.
 */
import { onnxTypeCode, type AttrInput, type DType, type LoweringContext, type Value } from "../../src/core";

const SUMS: Partial<Record<DType, DType>> = {
  uint8: "int32", int8: "int32", uint16: "int32", int16: "int32", uint32: "int64", uint64: "int64",
};
const ORDERS: Partial<Record<DType, DType>> = { uint16: "int32", int16: "int32", uint32: "int64" };

/** op -> dtype without a kernel -> dtype to compute in. */
const COMPUTE_IN: Readonly<Record<string, Partial<Record<DType, DType>>>> = {
  // ReduceSum/ReduceProd/CumSum: int8/16 are outside the type constraint; uint32/uint64 have no kernel.
  ReduceSum: SUMS,
  ReduceProd: SUMS,
  CumSum: SUMS,
  // ReduceMax/Min: (u)int16 outside the constraint, uint32 no kernel. uint64 has no wider
  // order-preserving type and stays a clear failure at run time.
  ReduceMax: ORDERS,
  ReduceMin: ORDERS,
  ArgMax: ORDERS,
  ArgMin: ORDERS,
  Max: { uint16: "int32", int16: "int32" },
  Min: { uint16: "int32", int16: "int32" },
  // Where's data inputs: bool, (u)int16 and uint64 have no kernel; int8 and uint32 none in wasm.
  Where: { bool: "uint8", int8: "int32", uint16: "int32", int16: "int32", uint32: "int64", uint64: "int64" },
  Pad: { uint16: "int32", int16: "int32" },
  CumProd: SUMS,
  // BitShift on uint16 has no wasm kernel; a left shift in uint32 truncates back exactly.
  BitShift: { uint16: "uint32" },
};

/** The dtype `op` computes `dtype` in: itself, or a wider one from the table. */
export function kernelDtype(op: string, dtype: DType): DType {
  return COMPUTE_IN[op]?.[dtype] ?? dtype;
}

export function cast(ctx: LoweringContext, x: Value, to: DType): Value {
  return x.type.dtype === to ? x : ctx.op("Cast", [x], { to: onnxTypeCode(to) });
}

export interface KernelOptions {
  /** Inputs that carry the data dtype (default: those with input `dataInput`'s dtype). */
  readonly dataInputs?: readonly number[];
  /** The input whose dtype decides (default 0; Where's is 1). */
  readonly dataInput?: number;
  /** Cast the result back to the data dtype (default: when the result has the computed dtype). */
  readonly castBack?: boolean;
}

/** `ctx.op(op, inputs, attrs)`, computed in a dtype onnxruntime has a kernel for. */
export function opWithKernel(
  ctx: LoweringContext,
  op: string,
  inputs: readonly Value[],
  attrs?: Readonly<Record<string, AttrInput>>,
  options: KernelOptions = {},
): Value {
  const dataInput = options.dataInput ?? (op === "Where" ? 1 : 0);
  const dtype = inputs[dataInput].type.dtype;
  const wide = kernelDtype(op, dtype);
  if (wide === dtype) return ctx.op(op, inputs, attrs);
  const data = new Set(options.dataInputs ?? inputs.flatMap((v, i) => (v.type.dtype === dtype && (op !== "Where" || i > 0) ? [i] : [])));
  const out = ctx.op(op, inputs.map((v, i) => (data.has(i) ? cast(ctx, v, wide) : v)), attrs);
  const back = options.castBack ?? out.type.dtype === wide;
  return back ? cast(ctx, out, dtype) : out;
}
