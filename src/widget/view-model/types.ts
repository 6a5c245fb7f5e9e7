/**
 * The graph widget's view model: a format-neutral graph of nodes, values, tensors and groups (in
 * the spirit of Netron's model/graph/node/value/tensor), built once from a model file and read by
 * the layout, the renderer and the inspector. Plain data (arrays, objects, typed arrays) so it can
 * be built in a worker and posted; no protobuf objects leak out of `from-onnx.ts`.
 *
 * Ids are path-like strings, unique in one ViewGraph and stable for the same file:
 *   `n3`            node 3 of the main graph        `in0` / `out0`  graph input / output 0
 *   `s:enc/layer.0` a module-scope group             `n3>n1`         node 1 of the function body called by n3
 *   `n7:g`          the group of a node that owns subgraphs (If/Loop/Scan), `n7:then_branch` one body
 */

/** A value's type: a tensor with dims (numbers, symbolic names, or null for unknown), or a described other type. */
export type ViewType =
  | { readonly kind: "tensor"; readonly dtype: string; readonly shape: readonly (number | string | null)[] | null }
  | { readonly kind: "other"; readonly text: string };

/** Summary statistics of a tensor's elements (NaN and infinities excluded from min/max/mean/std). */
export interface TensorStats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
  readonly zeros: number;
  readonly nans: number;
  readonly infs?: number;
}

/** Where a tensor's elements are: in the file (bytes here), in an external data file, or nowhere known. */
export type ViewTensorData =
  | { readonly kind: "raw"; readonly bytes: Uint8Array }
  | { readonly kind: "numbers"; readonly values: ArrayLike<number> }
  | { readonly kind: "strings"; readonly count: number }
  | { readonly kind: "external"; readonly location: string; readonly offset?: number; readonly length?: number }
  | { readonly kind: "none" };

export interface ViewTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: ViewTensorData;
  /** Statistics the host computed (e.g. for weights that never reach the browser). */
  readonly hostStats?: TensorStats;
}

export interface ViewValue {
  readonly name: string;
  readonly type: ViewType | null;
  /** Set when the value is an initializer (or a Constant's output is not: that is a node). */
  readonly initializer?: ViewTensor;
  /** The leaf node that produces it (a node id, or a graph input's id); absent for initializers and outer values. */
  producer?: string;
  readonly consumers: string[];
}

/** A summary of a subgraph attribute (If/Loop/Scan bodies). */
export interface ViewSubgraphSummary {
  readonly name: string;
  readonly nodeCount: number;
  /** The expandable group holding the body, when the body is shown in the graph. */
  readonly groupId?: string;
}

export type ViewAttribute =
  | { readonly name: string; readonly kind: "int"; readonly value: number | string }
  | { readonly name: string; readonly kind: "float"; readonly value: number }
  | { readonly name: string; readonly kind: "string"; readonly value: string }
  | { readonly name: string; readonly kind: "ints"; readonly value: readonly (number | string)[] }
  | { readonly name: string; readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: "strings"; readonly value: readonly string[] }
  | { readonly name: string; readonly kind: "tensor"; readonly value: ViewTensor }
  | { readonly name: string; readonly kind: "tensors"; readonly value: readonly ViewTensor[] }
  | { readonly name: string; readonly kind: "graph"; readonly value: ViewSubgraphSummary }
  | { readonly name: string; readonly kind: "graphs"; readonly value: readonly ViewSubgraphSummary[] }
  /** A function-body attribute that refers to the caller's attribute (AttributeProto.ref_attr_name). */
  | { readonly name: string; readonly kind: "ref"; readonly value: string }
  | { readonly name: string; readonly kind: "other"; readonly value: string };

/** What jax2onnx-lab's converter records per node (NodeProto.metadata_props `jax2onnx_lab.*`). */
export interface ViewProvenance {
  readonly source?: string;
  readonly scope?: string;
  readonly primitive?: string;
}

export interface ViewNode {
  readonly id: string;
  /** `op`: an operator node; `input` / `output`: a graph's (or body's) input or output. */
  readonly kind: "op" | "input" | "output";
  readonly op: string;
  readonly domain: string;
  /** The node's name in the file ("" when it has none). */
  readonly name: string;
  /** The enclosing group's id, or null at the top level. */
  readonly parent: string | null;
  readonly inputs: readonly (ViewValue | null)[];
  readonly outputs: readonly ViewValue[];
  readonly attributes: readonly ViewAttribute[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly provenance: ViewProvenance;
  readonly docString?: string;
}

/**
 * A collapsible group. `scope`: a module scope (from metadata or name prefixes); `function`: a
 * call of a model-local function, holding its body's nodes; `control`: a node with subgraph
 * attributes, holding the node and one `subgraph` group per body.
 */
export interface ViewGroup {
  readonly id: string;
  readonly kind: "scope" | "function" | "control" | "subgraph";
  /** Short label: the last scope segment, the function's name, the op, the attribute name. */
  readonly label: string;
  /** The full path or qualified name, for the inspector and search. */
  readonly title: string;
  readonly parent: string | null;
  /** The call (function) or the owning node (control). A function call node is not itself a leaf. */
  readonly node?: ViewNode;
  /** Leaves (op nodes) anywhere beneath. */
  readonly nodeCount: number;
}

/** A leaf-to-leaf dataflow edge. */
export interface ViewEdge {
  readonly source: string;
  readonly target: string;
  readonly value: string;
}

export interface ViewFunction {
  readonly name: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodeCount: number;
  readonly calls: number;
}

export interface ViewModelInfo {
  readonly format: string;
  readonly irVersion?: number;
  readonly producer: string;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly docString?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly functions: readonly ViewFunction[];
}

export interface ViewGraph {
  readonly name: string;
  readonly info: ViewModelInfo;
  /** Every leaf: op nodes of the main graph, of function bodies and subgraph bodies, and input/output nodes. */
  readonly nodes: readonly ViewNode[];
  readonly groups: readonly ViewGroup[];
  readonly edges: readonly ViewEdge[];
  readonly inputs: readonly ViewValue[];
  readonly outputs: readonly ViewValue[];
  readonly initializers: readonly ViewTensor[];
  /** Things a user should know about the file (a function body not expanded, an unknown type, ...). */
  readonly warnings: readonly string[];
}

/** Information the host supplies beside the bytes. */
export interface ViewExtras {
  /** Statistics for initializers whose bytes are not in the file (external data, weights kept by the kernel), by name. */
  readonly tensorStats?: Readonly<Record<string, TensorStats>>;
  /** Overrides the graph's name in the view. */
  readonly name?: string;
}

/** A search hit: a node, a group, or a value (then `id` is the node to go to). */
export interface ViewNodeRef {
  readonly id: string;
  readonly kind: "node" | "group" | "value";
  /** What matched: the node or group name, the op type, or the value name. */
  readonly match: "name" | "op" | "value";
  readonly label: string;
  readonly detail: string;
}

/** Raised for bytes that are not a readable ONNX model; `message` says what to do. */
export class OnnxViewError extends Error {
  override readonly name = "OnnxViewError";
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
