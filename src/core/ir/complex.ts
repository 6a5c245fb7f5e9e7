/**
 * The complex convention (docs/complex.md): ONNX has no complex arithmetic and onnxruntime has
 * no complex kernels for MatMul, Conv or Add, so a complex tensor travels as a real tensor with
 * a trailing dimension of 2 holding (real, imag): complex64[3, 4] is float32[3, 4, 2] and
 * complex128 is float64. numpy lays complex arrays out the same way (real and imaginary parts
 * interleaved), so a complex buffer's bytes are the pair tensor's bytes unchanged.
 */
import type { Dim } from "./dims";
import { isComplex, type DType } from "./dtype";
import type { TensorType } from "./ir";

/** The real dtype of a complex dtype's parts (complex64 -> float32); other dtypes unchanged. */
export function componentDtype(dtype: DType): DType {
  if (dtype === "complex64") return "float32";
  if (dtype === "complex128") return "float64";
  return dtype;
}

/** The complex dtype whose parts are `dtype` (float32 -> complex64). */
export function complexDtypeOf(dtype: DType): DType {
  if (dtype === "float32" || dtype === "complex64") return "complex64";
  if (dtype === "float64" || dtype === "complex128") return "complex128";
  throw new Error(`no complex dtype has ${dtype} parts`);
}

/** The IR type a JAX value of this dtype and shape has: complex ones as [..., 2] real pairs. */
export function irTypeOf(aval: { readonly dtype: DType; readonly shape: readonly Dim[] }): TensorType {
  if (isComplex(aval.dtype)) return { dtype: componentDtype(aval.dtype), shape: [...aval.shape, 2] };
  return { dtype: aval.dtype, shape: [...aval.shape] };
}
