/**
 * What `jax2onnx-lab inspect` prints about an ONNX model: opsets, inputs and outputs with their
 * types, op counts (subgraphs included), local functions, initializer bytes and metadata. It
 * reads any ONNX model, not only ours, and never trusts a string in it to be printable.
 */
import { onnx } from "../proto/onnx";
import { int64Value, type Int64 } from "./read-model";

export interface ValueSummary {
  readonly name: string;
  /** `float32[B,30]`, `seq(int64[?])`, `map(string, float32[])`, or `?` when the type is missing. */
  readonly type: string;
}

export interface FunctionSummary {
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: number;
}

export interface InitializerSummary {
  readonly count: number;
  /** Bytes stored in the model file (raw_data or typed fields). */
  readonly inlineBytes: number;
  /** Bytes the model says are in external data files (their `length` entries). */
  readonly externalBytes: number;
  /** External tensors without a `length` entry: their size is not known without the data file. */
  readonly externalUnknown: number;
  /** External data files named by `location`, as written in the model (not opened). */
  readonly externalFiles: readonly string[];
}

export interface ModelSummary {
  readonly irVersion: number | string;
  readonly opsets: readonly { readonly domain: string; readonly version: number | string }[];
  readonly producer: string;
  readonly graphName: string;
  readonly inputs: readonly ValueSummary[];
  readonly outputs: readonly ValueSummary[];
  /** Nodes in the main graph and in every subgraph (If/Loop/Scan bodies), functions excluded. */
  readonly nodes: number;
  readonly subgraphs: number;
  /** Op type (with its domain when it is not the default one) -> count, subgraphs included. */
  readonly ops: Readonly<Record<string, number>>;
  readonly functions: readonly FunctionSummary[];
  readonly initializers: InitializerSummary;
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
}

const DTYPE_NAMES: Readonly<Record<number, string>> = {
  1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
  9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128",
  16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz",
  21: "uint4", 22: "int4", 23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2",
};

export const onnxDtypeName = (code: number): string => DTYPE_NAMES[code] ?? `dtype(${code})`;

function shapeText(shape: onnx.ITensorShapeProto | null | undefined): string {
  if (!shape) return "";
  const dims = (shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? String(int64Value(d.dimValue as Int64)) : "?"));
  return `[${dims.join(",")}]`;
}

/** A TypeProto as text; nesting is bounded by protobufjs' recursion limit on decode. */
export function typeText(t: onnx.ITypeProto | null | undefined): string {
  if (!t) return "?";
  if (t.tensorType) return `${onnxDtypeName(t.tensorType.elemType ?? 0)}${t.tensorType.shape ? shapeText(t.tensorType.shape) : "[?]"}`;
  if (t.sparseTensorType) return `sparse ${onnxDtypeName(t.sparseTensorType.elemType ?? 0)}${shapeText(t.sparseTensorType.shape)}`;
  if (t.sequenceType) return `seq(${typeText(t.sequenceType.elemType)})`;
  if (t.mapType) return `map(${onnxDtypeName(t.mapType.keyType ?? 0)}, ${typeText(t.mapType.valueType)})`;
  if (t.optionalType) return `optional(${typeText(t.optionalType.elemType)})`;
  return "?";
}

const valueSummary = (v: onnx.IValueInfoProto): ValueSummary => ({ name: v.name ?? "", type: typeText(v.type) });

const opKey = (n: onnx.INodeProto): string => (n.domain && n.domain !== "ai.onnx" ? `${n.domain}:${n.opType ?? ""}` : n.opType ?? "");

/** Node and subgraph counts of a graph, its If/Loop/Scan bodies included. */
function countNodes(graph: onnx.IGraphProto, ops: Record<string, number>): { nodes: number; subgraphs: number } {
  let nodes = 0;
  let subgraphs = 0;
  for (const n of graph.node ?? []) {
    nodes++;
    const key = opKey(n);
    ops[key] = (ops[key] ?? 0) + 1;
    for (const a of n.attribute ?? []) {
      for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) {
        const inner = countNodes(g, ops);
        nodes += inner.nodes;
        subgraphs += 1 + inner.subgraphs;
      }
    }
  }
  return { nodes, subgraphs };
}

const TYPED_FIELD_BYTES: readonly [keyof onnx.ITensorProto, number][] = [
  ["floatData", 4], ["int32Data", 4], ["int64Data", 8], ["doubleData", 8], ["uint64Data", 8],
];

function initializerSummary(tensors: readonly onnx.ITensorProto[]): InitializerSummary {
  let inlineBytes = 0;
  let externalBytes = 0;
  let externalUnknown = 0;
  const files = new Set<string>();
  for (const t of tensors) {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? "", e.value ?? ""]));
      const location = entries.get("location");
      if (location) files.add(location);
      const length = Number(entries.get("length"));
      if (entries.has("length") && Number.isSafeInteger(length) && length >= 0) externalBytes += length;
      else externalUnknown++;
      continue;
    }
    inlineBytes += t.rawData?.byteLength ?? 0;
    for (const [field, width] of TYPED_FIELD_BYTES) inlineBytes += ((t[field] as unknown[] | undefined)?.length ?? 0) * width;
    for (const s of t.stringData ?? []) inlineBytes += s.byteLength;
  }
  return { count: tensors.length, inlineBytes, externalBytes, externalUnknown, externalFiles: [...files] };
}

export function summarizeModel(model: onnx.IModelProto): ModelSummary {
  const graph = model.graph ?? {};
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ""));
  const ops: Record<string, number> = {};
  const { nodes, subgraphs } = countNodes(graph, ops);
  const sparse = (graph.sparseInitializer ?? []).flatMap((s) => [s.values, s.indices].filter((t): t is onnx.ITensorProto => !!t));
  const producer = [model.producerName, model.producerVersion].filter(Boolean).join(" ");
  return {
    irVersion: int64Value(model.irVersion as Int64),
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain || "ai.onnx", version: int64Value(o.version as Int64) })),
    producer,
    graphName: graph.name ?? "",
    // Before IR 4 initializers were also listed as graph inputs; they are not inputs to feed.
    inputs: (graph.input ?? []).filter((v) => !initializerNames.has(v.name ?? "")).map(valueSummary),
    outputs: (graph.output ?? []).map(valueSummary),
    nodes,
    subgraphs,
    ops,
    functions: (model.functions ?? []).map((f) => ({
      domain: f.domain ?? "",
      name: f.name ?? "",
      inputs: f.input ?? [],
      outputs: f.output ?? [],
      nodes: (f.node ?? []).length,
    })),
    initializers: initializerSummary([...(graph.initializer ?? []), ...sparse]),
    metadata: (model.metadataProps ?? []).map((p) => ({ key: p.key ?? "", value: p.value ?? "" })),
  };
}
