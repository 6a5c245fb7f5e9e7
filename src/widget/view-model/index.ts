/** The graph widget's format-neutral view model and the ONNX reader that builds it. */
export * from "./types";
export { viewGraphFromOnnx, viewGraphFromModelProto, decodeModelProto } from "./from-onnx";
export { tensorStats, float16ToNumber, bfloat16ToNumber } from "./tensor-stats";
export { formatType, formatTensorType, formatTensorShape } from "./tensors-and-types";
