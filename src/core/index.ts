/** The converter core: DOM-free, Node-free; bytes in, chunks out. */
export * from "./interchange/capture";
export * from "./interchange/container";
export * from "./interchange/decode";
export * from "./interchange/encode";
export * from "./interchange/params";
export * from "./ir/builder";
export * from "./ir/dims";
export * from "./ir/dtype";
export * from "./ir/ir";
export * from "./ir/perm";
export * from "./lower/context";
export * from "./lower/errors";
export * from "./lower/lower";
export * from "./lower/rule";
export * from "./serialize/chunks";
export { HOST_TENSOR_BUFFER_KEY, HOST_TENSOR_LOCATION, serializeModelStructure } from "./serialize/model-proto";
export * from "./convert";
export * from "./error-report";
