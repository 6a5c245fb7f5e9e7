/**
 * IR -> ONNX ModelProto. Structure goes through the protobufjs bindings generated from onnx.proto;
 * initializer payloads are framed by chunks.ts so big weights stay where they are. Field numbers
 * below are onnx.proto's: ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.raw_data = 9.
 */
import { onnx } from "../proto/onnx";
import { onnxTypeCode } from "../ir/dtype";
import type { Dim } from "../ir/dims";
import { tensorByteLength, type OnnxFunction, type Attr, type Graph, type Model, type Node, type Tensor, type TensorType, type Value } from "../ir/ir";
import { coalesce, field, totalLength, type Chunk } from "./chunks";
import { int64, int64s } from "./int64";

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;

/** The lowest IR version that knows each default-domain opset (onnx/helper.py VERSION_TABLE). */
export function irVersionFor(opset: number): number {
  if (opset >= 25) return 13;
  if (opset >= 24) return 12;
  if (opset >= 23) return 11;
  // IR 10 is also the first with NodeProto.metadata_props, which carries source locations.
  return 10;
}

function dimProto(d: Dim): onnx.TensorShapeProto.Dimension.$Properties {
  if (typeof d === "number") return { dimValue: int64(d) };
  if (typeof d === "string") return { dimParam: d };
  return {};
}

function typeProto(t: TensorType): onnx.TypeProto.$Properties {
  return { tensorType: { elemType: onnxTypeCode(t.dtype), shape: { dim: t.shape.map(dimProto) } } };
}

const valueInfo = (v: Value): onnx.ValueInfoProto.$Properties => ({ name: v.name, type: typeProto(v.type) });

function tensorHeader(t: Tensor, name?: string): onnx.TensorProto.$Properties {
  return { dims: int64s(t.shape), dataType: onnxTypeCode(t.dtype), ...(name ? { name } : {}) };
}

/** A tensor whose bytes the converter holds, as a plain protobufjs message (attributes, subgraphs). */
function inlineTensor(t: Tensor, name?: string): onnx.TensorProto.$Properties {
  if (t.data.kind !== "bytes") throw new Error(`tensor ${name ?? ""} holds host bytes; only top-level initializers may`);
  return { ...tensorHeader(t, name), rawData: t.data.bytes };
}

function attributeProto(name: string, a: Attr): onnx.AttributeProto.$Properties {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case "int": return { name, type: T.INT, i: int64(a.value) };
    case "ints": return { name, type: T.INTS, ints: int64s(a.value) };
    case "float": return { name, type: T.FLOAT, f: a.value };
    case "floats": return { name, type: T.FLOATS, floats: [...a.value] };
    case "string": return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case "strings": return { name, type: T.STRINGS, strings: a.value.map((s) => new TextEncoder().encode(s)) };
    case "tensor": return { name, type: T.TENSOR, t: inlineTensor(a.value) };
    case "graph": return { name, type: T.GRAPH, g: graphProto(a.value, true) };
  }
}

function nodeProto(n: Node): onnx.NodeProto.$Properties {
  const meta = Object.entries(n.metadata).filter(([, v]) => v !== undefined).map(([key, value]) => ({ key: `jax2onnx_lab.${key}`, value: String(value) }));
  return {
    name: n.name,
    opType: n.op,
    ...(n.domain ? { domain: n.domain } : {}),
    input: n.inputs.map((v) => v?.name ?? ""),
    output: n.outputs.map((v) => v.name),
    attribute: Object.entries(n.attrs).map(([k, a]) => attributeProto(k, a)),
    ...(meta.length ? { metadataProps: meta } : {}),
  };
}

/** The graph's structure; with `withInitializers` also its (converter-held) initializers. */
function graphProto(g: Graph, withInitializers: boolean): onnx.GraphProto.$Properties {
  const outputs = new Set(g.outputs);
  return {
    name: g.name,
    node: g.nodes.map(nodeProto),
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    valueInfo: g.nodes.flatMap((n) => n.outputs).filter((v) => !outputs.has(v)).map(valueInfo),
    ...(withInitializers ? { initializer: g.initializers.map((v) => inlineTensor(v.tensor!, v.name)) } : {}),
  };
}

/**
 * Tensors stored outside the model file (ONNX external data, for models over protobuf's 2 GB):
 * each tensor of at least `minBytes` goes to the data file at a page-aligned offset.
 */
export interface ExternalDataOptions {
  /** The data file's name, relative to the model file (e.g. "model.onnx.data"). */
  readonly location: string;
  readonly minBytes?: number;
}

const EXTERNAL_ALIGN = 4096;

class ExternalData {
  readonly chunks: Chunk[] = [];
  private offset = 0;
  constructor(readonly options: ExternalDataOptions) {}

  /** Appends a payload; returns the TensorProto fields that point at it. */
  place(payload: Chunk, byteLength: number): onnx.TensorProto.$Properties {
    const start = Math.ceil(this.offset / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
    if (start > this.offset) this.chunks.push(new Uint8Array(start - this.offset));
    this.chunks.push(payload);
    this.offset = start + byteLength;
    return {
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: "location", value: this.options.location },
        { key: "offset", value: String(start) },
        { key: "length", value: String(byteLength) },
      ],
    };
  }
}

function functionProto(f: OnnxFunction): onnx.FunctionProto.$Properties {
  const g = f.body;
  if (g.initializers.length) throw new Error(`function ${f.domain}.${f.name}: ONNX functions cannot hold initializers; use Constant nodes`);
  const outputs = new Set(g.outputs);
  return {
    name: f.name,
    domain: f.domain,
    input: g.inputs.map((v) => v.name),
    output: g.outputs.map((v) => v.name),
    node: g.nodes.map(nodeProto),
    // A body calling other model-local functions imports their domains (at version 1, as the model does).
    opsetImport: [{ domain: "", version: int64(f.opset) }, ...[...new Set(g.nodes.map((n) => n.domain).filter((d) => d !== ""))].map((domain) => ({ domain, version: int64(1) }))],
    // IR 10: value_info inside functions, so tools like Netron show shapes there too.
    valueInfo: [...g.inputs, ...g.nodes.flatMap((n) => n.outputs)].filter((v) => !outputs.has(v)).map(valueInfo),
  };
}

/**
 * In a structure-only model (the widget's view of a conversion whose weights stay in the
 * kernel), a host-held initializer is an external-data reference to this location, with the
 * capture buffer it stands for under BUFFER_KEY.
 */
export const HOST_TENSOR_LOCATION = "jax2onnx-lab:host";
export const HOST_TENSOR_BUFFER_KEY = "jax2onnx_lab.buffer";

function hostReference(t: Tensor, name: string): Uint8Array | null {
  if (t.data.kind !== "host") return null;
  const header = onnx.TensorProto.encode({
    ...tensorHeader(t, name),
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: "location", value: HOST_TENSOR_LOCATION },
      { key: "length", value: String(tensorByteLength(t)) },
      { key: HOST_TENSOR_BUFFER_KEY, value: String(t.data.buffer) },
    ],
  }).finish();
  return header;
}

function initializerChunks(v: Value, external?: ExternalData, hostAsReference = false): Chunk[] {
  const t = v.tensor;
  if (!t) throw new Error(`initializer ${v.name} has no tensor`);
  const reference = hostAsReference ? hostReference(t, v.name) : null;
  if (reference) return field(GRAPH_INITIALIZER, [reference]);
  const byteLength = tensorByteLength(t);
  const payload: Chunk =
    t.data.kind === "bytes"
      ? t.data.bytes
      : { kind: "host", buffer: t.data.buffer, byteLength, dtype: t.dtype, ...(t.data.perm ? { perm: t.data.perm } : {}) };
  if (external && byteLength >= (external.options.minBytes ?? 1024)) {
    const header = onnx.TensorProto.encode({ ...tensorHeader(t, v.name), ...external.place(payload, byteLength) }).finish();
    return field(GRAPH_INITIALIZER, [header]);
  }
  const header = onnx.TensorProto.encode(tensorHeader(t, v.name)).finish();
  return field(GRAPH_INITIALIZER, [header, ...field(TENSOR_RAW_DATA, [payload])]);
}

/**
 * Serializes a model as chunks: ModelProto fields (protobufjs) followed by the graph field, whose
 * body is GraphProto fields (protobufjs) followed by one initializer field per weight. Protobuf
 * parsers accept fields in any order, so the result is an ordinary ONNX file.
 */
export function serializeModel(model: Model): Chunk[] {
  return serializeModelFiles(model).model;
}

/**
 * The model as one byte array in which host-held weights are references (HOST_TENSOR_LOCATION)
 * instead of placeholders: a valid ONNX file with the whole structure and no big weights, which
 * a viewer can decode without the host's bytes.
 */
export function serializeModelStructure(model: Model): Uint8Array {
  const chunks = serializeModelChunks(model, undefined, true).model;
  const out = new Uint8Array(totalLength(chunks));
  let at = 0;
  for (const c of chunks) {
    if (!(c instanceof Uint8Array)) throw new Error("internal: a host placeholder in a structure-only model");
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The model file's chunks and, with `external`, the external data file's chunks. */
export function serializeModelFiles(model: Model, external?: ExternalDataOptions): { model: Chunk[]; data?: Chunk[] } {
  return serializeModelChunks(model, external, false);
}

function serializeModelChunks(model: Model, external: ExternalDataOptions | undefined, hostAsReference: boolean): { model: Chunk[]; data?: Chunk[] } {
  const head = onnx.ModelProto.encode({
    irVersion: int64(irVersionFor(model.opsetImports.find((o) => o.domain === "")?.version ?? 21)),
    opsetImport: model.opsetImports.map((o) => ({ domain: o.domain, version: int64(o.version) })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    ...(model.docString ? { docString: model.docString } : {}),
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    ...(model.functions?.length ? { functions: model.functions.map(functionProto) } : {}),
  }).finish();
  const graphHead = onnx.GraphProto.encode(graphProto(model.graph, false)).finish();
  const data = external ? new ExternalData(external) : undefined;
  const graphBody = [graphHead, ...model.graph.initializers.flatMap((v) => initializerChunks(v, data, hostAsReference))];
  return { model: coalesce([head, ...field(MODEL_GRAPH, graphBody)]), ...(data ? { data: coalesce(data.chunks) } : {}) };
}
