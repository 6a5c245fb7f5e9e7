/**
 * The typed IR the lowering builds and the passes rewrite: values with dtype and shape, nodes,
 * graphs with initializers, functions, and the model. It mirrors ONNX closely so that
 * serialization is a direct walk, but holds tensors by reference so weights are never copied.
 */
import { decodeScalars, dtypeByteSize, type DType } from "./dtype";
import type { Dim } from "./dims";

export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

/**
 * Where a tensor's bytes are. `bytes`: the converter holds them (small constants, folded values).
 * `host`: the host holds them (buffer index of the capture); `perm` asks the host to transpose
 * them as it writes (a folded weight transpose: the bytes never pass through the converter).
 */
export type TensorData =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "host"; readonly buffer: number; readonly sourceShape: readonly number[]; readonly perm?: readonly number[] };

export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

export type Attr =
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "ints"; readonly value: readonly number[] }
  | { readonly type: "float"; readonly value: number }
  | { readonly type: "floats"; readonly value: readonly number[] }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "strings"; readonly value: readonly string[] }
  | { readonly type: "tensor"; readonly value: Tensor }
  | { readonly type: "graph"; readonly value: Graph };

/** Attribute constructors for the values a plain JS literal cannot say (floats, tensors, graphs). */
export const attr = {
  int: (value: number): Attr => ({ type: "int", value }),
  ints: (value: readonly number[]): Attr => ({ type: "ints", value }),
  float: (value: number): Attr => ({ type: "float", value }),
  floats: (value: readonly number[]): Attr => ({ type: "floats", value }),
  string: (value: string): Attr => ({ type: "string", value }),
  tensor: (value: Tensor): Attr => ({ type: "tensor", value }),
  graph: (value: Graph): Attr => ({ type: "graph", value }),
};

export class Value {
  producer: Node | null = null;
  /** Set for initializers: the constant this value is. */
  tensor: Tensor | null = null;
  constructor(
    public name: string,
    public type: TensorType,
  ) {}
}

export interface NodeMetadata {
  /** The user's source location, `file:line:col (function)`. */
  readonly source?: string;
  /** Module scope path, e.g. `MLP/linear1`. */
  readonly scope?: string;
  /** The JAX primitive this node was lowered from. */
  readonly primitive?: string;
}

export class Node {
  constructor(
    public name: string,
    public op: string,
    public inputs: (Value | null)[],
    public outputs: Value[],
    public attrs: Record<string, Attr> = {},
    public domain = "",
    public metadata: NodeMetadata = {},
  ) {
    for (const out of outputs) out.producer = this;
  }
}

export class Graph {
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  /** In topological order. */
  nodes: Node[] = [];
  initializers: Value[] = [];
  constructor(public name: string) {}

  /** Every value consumed by a node of this graph (not of subgraphs) or returned by it. */
  usedValues(): Set<Value> {
    const used = new Set<Value>(this.outputs);
    for (const node of this.nodes) for (const v of node.inputs) if (v) used.add(v);
    return used;
  }

  /** The values produced in this graph: node outputs (not inputs or initializers). */
  intermediates(): Value[] {
    const outs = new Set(this.outputs);
    return this.nodes.flatMap((n) => n.outputs).filter((v) => !outs.has(v));
  }
}

/**
 * A model-local ONNX function (FunctionProto): a body with named inputs and outputs, called by
 * nodes whose `op` is the function's name and whose `domain` is its domain. The body has no
 * initializers (ONNX functions cannot hold any); constants are Constant nodes.
 */
export class OnnxFunction {
  constructor(
    readonly name: string,
    readonly domain: string,
    /** The default-domain opset the body uses. */
    readonly opset: number,
    readonly body: Graph,
  ) {}
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface Model {
  graph: Graph;
  /** Model-local functions; their domains must be among `opsetImports`. */
  functions?: OnnxFunction[];
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata: Record<string, string>;
}

export function tensorByteLength(t: Tensor): number {
  return t.shape.reduce((a, b) => a * b, 1) * dtypeByteSize(t.dtype);
}

// Decoded once per byte array: the fusion checks ask for the same constants many times, often
// only whether there are any (a ResNet's conv kernels were decoded on every check).
const decoded = new WeakMap<Uint8Array, { readonly dtype: DType; readonly values: readonly number[] }>();

/** Whether the converter holds `v`'s bytes (what knownValues would decode), without decoding them. */
export function isKnown(v: Value | null | undefined): boolean {
  return v?.tensor?.data.kind === "bytes";
}

/** The value of a one-element initializer whose bytes the converter holds, else null; a bigger
 * tensor is not decoded to find out (checks ask this of conv kernels). */
export function knownScalar(v: Value | null | undefined): number | null {
  const t = v?.tensor;
  if (!t || t.data.kind !== "bytes") return null;
  for (const d of t.shape) if (d !== 1) return null;
  return knownValues(v!)![0];
}

/** Values of an initializer whose bytes the converter holds, else null (shared: never mutate). */
export function knownValues(v: Value | null): readonly number[] | null {
  const t = v?.tensor;
  if (!t || t.data.kind !== "bytes") return null;
  const known = decoded.get(t.data.bytes);
  if (known && known.dtype === t.dtype) return known.values;
  const values = Object.freeze(decodeScalars(t.data.bytes, t.dtype));
  decoded.set(t.data.bytes, { dtype: t.dtype, values });
  return values;
}
