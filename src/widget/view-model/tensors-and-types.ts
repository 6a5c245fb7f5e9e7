/** TensorProto and TypeProto to their view-model forms. */
import { onnx } from "../../core/proto/onnx";
import { bfloat16ToNumber, float16ToNumber } from "./tensor-stats";
import { dtypeName, entries, int64Number, list, text } from "./proto-read";
import type { TensorStats, ViewTensor, ViewTensorData, ViewType } from "./types";

const FLOAT16 = 10;
const BFLOAT16 = 16;
const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

function tensorData(t: onnx.TensorProto.$Properties): ViewTensorData {
  if (t.dataLocation === EXTERNAL) {
    const ext = entries(t.externalData);
    const offset = ext.offset !== undefined ? Number(ext.offset) : undefined;
    const length = ext.length !== undefined ? Number(ext.length) : undefined;
    return {
      kind: "external",
      location: ext.location ?? "",
      ...(offset !== undefined && Number.isFinite(offset) ? { offset } : {}),
      ...(length !== undefined && Number.isFinite(length) ? { length } : {}),
    };
  }
  if (t.rawData && t.rawData.byteLength > 0) return { kind: "raw", bytes: t.rawData };
  const floats = list(t.floatData);
  if (floats.length) return { kind: "numbers", values: floats };
  const doubles = list(t.doubleData);
  if (doubles.length) return { kind: "numbers", values: doubles };
  const int32s = list(t.int32Data);
  if (int32s.length) {
    // onnx.proto: float16 and bfloat16 elements travel in int32_data as their bit patterns.
    if (t.dataType === FLOAT16) return { kind: "numbers", values: int32s.map(float16ToNumber) };
    if (t.dataType === BFLOAT16) return { kind: "numbers", values: int32s.map(bfloat16ToNumber) };
    return { kind: "numbers", values: int32s };
  }
  const int64s = list(t.int64Data);
  if (int64s.length) return { kind: "numbers", values: int64s.map(int64Number) };
  const uint64s = list(t.uint64Data);
  if (uint64s.length) return { kind: "numbers", values: uint64s.map(int64Number) };
  const strings = list(t.stringData);
  if (strings.length) return { kind: "strings", count: strings.length };
  return { kind: "none" };
}

export function viewTensor(t: onnx.TensorProto.$Properties, hostStats?: TensorStats, fallbackName = ""): ViewTensor {
  return {
    name: text(t.name) || fallbackName,
    dtype: dtypeName(t.dataType),
    shape: list(t.dims).map(int64Number),
    data: tensorData(t),
    ...(hostStats ? { hostStats } : {}),
  };
}

function dims(shape: onnx.TensorShapeProto.$Properties | null | undefined): (number | string | null)[] | null {
  if (!shape) return null; // unknown rank
  return list(shape.dim).map((d) => {
    if (d.dimParam) return d.dimParam;
    // dim_value and dim_param are a oneof: a decoded message owns only the one that was present.
    if (Object.prototype.hasOwnProperty.call(d, "dimValue") && d.dimValue !== null && d.dimValue !== undefined) return int64Number(d.dimValue);
    return null;
  });
}

/** A TypeProto as a tensor type, or a short text for sequence/map/optional/sparse/opaque types. */
export function viewType(t: onnx.TypeProto.$Properties | null | undefined): ViewType | null {
  if (!t) return null;
  if (t.tensorType) return { kind: "tensor", dtype: dtypeName(t.tensorType.elemType), shape: dims(t.tensorType.shape) };
  // Iterative: nested element types (sequence of optional of ...) could be arbitrarily deep.
  const parts: string[] = [];
  let closing = 0;
  let cursor: onnx.TypeProto.$Properties | null | undefined = t;
  while (cursor) {
    if (cursor.tensorType) {
      parts.push(formatTensorType(dtypeName(cursor.tensorType.elemType), dims(cursor.tensorType.shape)));
      break;
    } else if (cursor.sequenceType) {
      parts.push("sequence<");
      closing++;
      cursor = cursor.sequenceType.elemType;
    } else if (cursor.optionalType) {
      parts.push("optional<");
      closing++;
      cursor = cursor.optionalType.elemType;
    } else if (cursor.mapType) {
      parts.push(`map<${dtypeName(cursor.mapType.keyType)}, `);
      closing++;
      cursor = cursor.mapType.valueType;
    } else if (cursor.sparseTensorType) {
      parts.push(`sparse ${formatTensorType(dtypeName(cursor.sparseTensorType.elemType), dims(cursor.sparseTensorType.shape))}`);
      break;
    } else if (cursor.opaqueType) {
      parts.push(`opaque ${[text(cursor.opaqueType.domain), text(cursor.opaqueType.name)].filter(Boolean).join(".")}`);
      break;
    } else {
      parts.push("?");
      break;
    }
  }
  return { kind: "other", text: parts.join("") + ">".repeat(closing) };
}

/** `float32[B,30]`; `float32[?]` for unknown rank; unknown dims as `?`. */
export function formatTensorType(dtype: string, shape: readonly (number | string | null)[] | null): string {
  if (shape === null) return `${dtype}[?]`;
  return `${dtype}[${shape.map((d) => (d === null ? "?" : String(d))).join(",")}]`;
}

export function formatType(t: ViewType | null): string {
  if (!t) return "?";
  return t.kind === "tensor" ? formatTensorType(t.dtype, t.shape) : t.text;
}

export function formatTensorShape(t: ViewTensor): string {
  return formatTensorType(t.dtype, t.shape);
}
