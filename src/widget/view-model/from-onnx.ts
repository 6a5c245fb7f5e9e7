/**
 * ONNX ModelProto -> ViewGraph. Reads any ONNX file, not only ours:
 *  - nodes without names, graphs without value_info, values that nothing produces;
 *  - model-local functions (FunctionProto): a node whose (domain, op_type) names one becomes a
 *    `function` group holding a copy of the body, its formal inputs bound to the call's actual
 *    values (ONNX IR: function calls are by (domain, name[, overload]));
 *  - subgraph attributes (If/Loop/Scan bodies, onnx.proto AttributeProto.g/graphs): the node
 *    becomes a `control` group holding the node itself and one `subgraph` group per body; body
 *    nodes see outer-scope values by name (ONNX lexical scoping), body outputs feed the node;
 *  - external-data tensors (no bytes here), dim_param dims (kept by name).
 * Module groups come from our node metadata (`jax2onnx_lab.scope`), else from `/`-separated
 * node-name prefixes (`/encoder/layer.0/attn/MatMul`, PyTorch's exporter and Netron's grouping).
 * Everything is iterative (a work list of graph bodies), so deep nesting cannot overflow the stack.
 */
import { OnnxReadError, readOnnxModel } from "../../core/onnx/read-model";
import { onnx } from "../../core/proto/onnx";
import { bytesText, entries, int64, int64Number, list, text } from "./proto-read";
import { viewTensor, viewType } from "./tensors-and-types";
import {
  OnnxViewError,
  type ViewAttribute,
  type ViewEdge,
  type ViewExtras,
  type ViewFunction,
  type ViewGraph,
  type ViewGroup,
  type ViewNode,
  type ViewProvenance,
  type ViewSubgraphSummary,
  type ViewTensor,
  type ViewType,
  type ViewValue,
} from "./types";

/** Copies of function bodies stop here (a warning says so); the calls beyond stay single nodes. */
const MAX_INSTANTIATED_LEAVES = 400_000;

const META_PREFIX = "jax2onnx_lab.";

type MutableValue = { -readonly [K in keyof ViewValue]: ViewValue[K] };
type MutableNode = { -readonly [K in keyof ViewNode]: ViewNode[K] };
type MutableGroup = { -readonly [K in keyof ViewGroup]: ViewGroup[K] };

/** Values visible by name in one graph body; subgraph bodies chain to their enclosing scope. */
class ValueScope {
  private readonly values = new Map<string, MutableValue>();
  constructor(readonly outer: ValueScope | null) {}

  own(name: string): MutableValue | undefined {
    return this.values.get(name);
  }

  lookup(name: string): MutableValue | undefined {
    for (let s: ValueScope | null = this; s; s = s.outer) {
      const v = s.values.get(name);
      if (v) return v;
    }
    return undefined;
  }

  declare(v: MutableValue): MutableValue {
    this.values.set(v.name, v);
    return v;
  }
}

/** One graph body to read: the main graph, a function body for one call, or a subgraph attribute. */
interface Body {
  readonly kind: "main" | "function" | "subgraph";
  readonly nodes: readonly onnx.NodeProto.$Properties[];
  readonly inputs: readonly { readonly name: string; readonly type: ViewType | null }[];
  readonly outputs: readonly { readonly name: string; readonly type: ViewType | null }[];
  readonly valueInfo: readonly onnx.ValueInfoProto.$Properties[];
  readonly initializers: readonly onnx.TensorProto.$Properties[];
  /** Prefix of every id made for this body. */
  readonly prefix: string;
  /** The group the body's top-level things belong to. */
  readonly group: string | null;
  readonly scope: ValueScope;
  /** Function keys on the way here, against recursive functions (which ONNX forbids, but files may contain). */
  readonly callStack: readonly string[];
  /**
   * The module path of the call site a function body was reached through (empty in the main graph).
   * Our function bodies record scopes relative to the function (one body serves every call), so the
   * inspector's module path is this base plus the node's own path.
   */
  readonly scopeBase?: readonly string[];
  /** function: the call's actual input values per formal input, and its output values per formal output. */
  readonly actualInputs?: readonly (MutableValue | null)[];
  readonly callOutputs?: readonly MutableValue[];
  /** subgraph: the node that owns the body; its outputs are fed by the body's outputs. */
  readonly owner?: string;
}

const functionKey = (domain: string, name: string, overload = ""): string => `${domain}\u0000${name}\u0000${overload}`;

function provenanceOf(metadata: Record<string, string>): ViewProvenance {
  const source = metadata[`${META_PREFIX}source`];
  const scope = metadata[`${META_PREFIX}scope`];
  const primitive = metadata[`${META_PREFIX}primitive`];
  return { ...(source !== undefined ? { source } : {}), ...(scope !== undefined ? { scope } : {}), ...(primitive !== undefined ? { primitive } : {}) };
}

/** The module path of a node: our metadata's scope, else the node name's `/`-separated prefix. */
function scopePath(name: string, provenance: ViewProvenance): string[] {
  if (provenance.scope !== undefined) return provenance.scope.split("/").filter(Boolean);
  if (!name.includes("/")) return [];
  const parts = name.split("/").filter(Boolean);
  parts.pop();
  return parts;
}

class ViewBuilder {
  private readonly nodes: MutableNode[] = [];
  private readonly groups: MutableGroup[] = [];
  private readonly groupById = new Map<string, MutableGroup>();
  private readonly extraEdges: ViewEdge[] = [];
  private readonly warnings: string[] = [];
  private readonly functions = new Map<string, onnx.FunctionProto.$Properties>();
  private readonly functionCalls = new Map<string, number>();
  /** A call's output value -> the body value that defines it (resolved once every body is read). */
  private readonly aliases = new Map<MutableValue, MutableValue>();
  private readonly work: Body[] = [];
  private instantiated = 0;
  private truncatedFunctions = false;

  constructor(private readonly model: onnx.ModelProto.$Properties, private readonly extras: ViewExtras) {
    for (const f of list(model.functions)) this.functions.set(functionKey(text(f.domain), text(f.name), text(f.overload)), f);
  }

  build(): ViewGraph {
    const graph = this.model.graph;
    if (!graph) throw new OnnxViewError("The file holds no graph (ModelProto.graph is empty): it is not an ONNX model, or it was truncated.");
    const root = new ValueScope(null);
    const inputs = list(graph.input).map((v) => ({ name: text(v.name), type: viewType(v.type) }));
    const outputs = list(graph.output).map((v) => ({ name: text(v.name), type: viewType(v.type) }));
    this.work.push({
      kind: "main",
      nodes: list(graph.node),
      inputs,
      outputs,
      valueInfo: list(graph.valueInfo),
      initializers: list(graph.initializer),
      prefix: "",
      group: null,
      scope: root,
      callStack: [],
    });
    // The list grows while it is read: function and subgraph bodies are queued, never recursed into.
    for (let i = 0; i < this.work.length; i++) this.readBody(this.work[i]);
    if (this.truncatedFunctions) this.warnings.push(`Function bodies were copied into the view up to ${MAX_INSTANTIATED_LEAVES} nodes; later calls are shown as single nodes.`);

    this.resolveAliases();
    const edges = this.edges();
    this.elideSingleChildScopes();
    this.countGroupNodes();

    const mainInputs = inputs.map((v) => root.own(v.name)).filter((v): v is MutableValue => !!v && !v.initializer);
    const mainOutputs = outputs.map((v) => root.lookup(v.name)).filter((v): v is MutableValue => !!v);
    const initializers = list(graph.initializer).map((t) => root.own(text(t.name))?.initializer).filter((t): t is ViewTensor => !!t);
    return {
      name: this.extras.name ?? text(graph.name),
      info: this.info(),
      nodes: this.nodes,
      groups: this.groups,
      edges,
      inputs: mainInputs,
      outputs: mainOutputs,
      initializers,
      warnings: this.warnings,
    };
  }

  private info(): ViewGraph["info"] {
    const functions: ViewFunction[] = list(this.model.functions).map((f) => ({
      name: text(f.name),
      domain: text(f.domain),
      inputs: [...list(f.input)],
      outputs: [...list(f.output)],
      nodeCount: list(f.node).length,
      calls: this.functionCalls.get(functionKey(text(f.domain), text(f.name), text(f.overload))) ?? 0,
    }));
    const producer = [text(this.model.producerName), text(this.model.producerVersion)].filter(Boolean).join(" ");
    const irVersion = this.model.irVersion !== undefined && this.model.irVersion !== null ? int64Number(this.model.irVersion) : undefined;
    return {
      format: irVersion !== undefined ? `ONNX v${irVersion}` : "ONNX",
      ...(irVersion !== undefined ? { irVersion } : {}),
      producer,
      opsets: list(this.model.opsetImport).map((o) => ({ domain: text(o.domain), version: int64Number(o.version) })),
      ...(this.model.docString ? { docString: this.model.docString } : {}),
      metadata: entries(this.model.metadataProps),
      functions,
    };
  }

  private addGroup(g: MutableGroup): MutableGroup {
    const existing = this.groupById.get(g.id);
    if (existing) return existing;
    this.groups.push(g);
    this.groupById.set(g.id, g);
    return g;
  }

  /** The innermost scope group for `path` inside `body`, creating the chain on first use. */
  private scopeGroup(body: Body, path: readonly string[]): string | null {
    if (!path.length) return body.group;
    const known = this.groupById.get(`${body.prefix}s:${path.join("/")}`);
    if (known) return known.id; // the common case: the scope of the previous node
    let parent = body.group;
    for (let i = 0; i < path.length; i++) {
      const title = path.slice(0, i + 1).join("/");
      const id = `${body.prefix}s:${title}`;
      this.addGroup({ id, kind: "scope", label: path[i], title, parent, nodeCount: 0 });
      parent = id;
    }
    return parent;
  }

  private readBody(body: Body): void {
    const { scope } = body;
    const types = new Map<string, ViewType | null>();
    for (const v of body.valueInfo) types.set(text(v.name), viewType(v.type));
    for (const v of [...body.inputs, ...body.outputs]) if (v.type) types.set(v.name, v.type);
    const typeOf = (name: string): ViewType | null => types.get(name) ?? null;

    for (const t of body.initializers) {
      const name = text(t.name);
      const hostStats = this.extras.tensorStats?.[name];
      scope.declare({ name, type: null, initializer: viewTensor(t, hostStats), consumers: [] });
    }
    this.readInputs(body, typeOf);

    // Outputs first, so consumers listed before their producer (files need not be sorted) still connect.
    const outputsOf = body.nodes.map((n) =>
      list(n.output).map((name) => scope.own(name) ?? scope.declare({ name, type: typeOf(name), consumers: [] })),
    );
    body.nodes.forEach((n, i) => this.readNode(body, n, i, outputsOf[i], typeOf));
    this.readOutputs(body, typeOf);
  }

  private readInputs(body: Body, typeOf: (name: string) => ViewType | null): void {
    const { scope } = body;
    body.inputs.forEach((input, k) => {
      if (body.kind === "function") {
        // A formal input is the caller's value under the body's name (ONNX function semantics).
        const actual = body.actualInputs?.[k] ?? null;
        if (!actual) return; // an omitted optional input: references to it read as missing
        scope.declare({
          name: input.name,
          type: typeOf(input.name) ?? actual.type,
          ...(actual.initializer ? { initializer: actual.initializer } : {}),
          ...(actual.producer ? { producer: actual.producer } : {}),
          consumers: [],
        });
        this.aliases.set(scope.own(input.name)!, actual);
        return;
      }
      // An input that is also an initializer (IR < 4 style) is a weight, not an input node.
      if (scope.own(input.name)?.initializer) return;
      const id = `${body.prefix}in${k}`;
      const value = scope.declare({ name: input.name, type: input.type ?? typeOf(input.name), producer: id, consumers: [] });
      this.nodes.push({
        id, kind: "input", op: "Input", domain: "", name: input.name, parent: body.group,
        inputs: [], outputs: [value], attributes: [], metadata: {}, provenance: {},
      });
    });
  }

  private readOutputs(body: Body, typeOf: (name: string) => ViewType | null): void {
    const { scope } = body;
    body.outputs.forEach((output, k) => {
      const value = scope.lookup(output.name) ?? scope.declare({ name: output.name, type: output.type ?? typeOf(output.name), consumers: [] });
      if (body.kind === "function") {
        const callOutput = body.callOutputs?.[k];
        if (callOutput) this.aliases.set(callOutput, value);
        return;
      }
      const id = `${body.prefix}out${k}`;
      this.nodes.push({
        id, kind: "output", op: "Output", domain: "", name: output.name, parent: body.group,
        inputs: [value], outputs: [], attributes: [], metadata: {}, provenance: {},
      });
      if (body.owner) this.extraEdges.push({ source: id, target: body.owner, value: output.name });
    });
  }

  private readNode(body: Body, n: onnx.NodeProto.$Properties, i: number, outputs: MutableValue[], typeOf: (name: string) => ViewType | null): void {
    const { scope } = body;
    const id = `${body.prefix}n${i}`;
    const name = text(n.name);
    const op = text(n.opType);
    const domain = text(n.domain);
    const metadata = entries(n.metadataProps);
    let provenance = provenanceOf(metadata);
    const inputs = list(n.input).map((input) => {
      if (input === "") return null; // an omitted optional input (onnx.proto NodeProto.input)
      return scope.lookup(input) ?? scope.declare({ name: input, type: typeOf(input), consumers: [] });
    });
    const relativeScope = scopePath(name, provenance);
    let parent = this.scopeGroup(body, relativeScope);
    const scopeBase = body.scopeBase ?? [];
    const fullScope = [...scopeBase, ...relativeScope];
    if (scopeBase.length) provenance = { ...provenance, scope: fullScope.join("/") };

    const subgraphs: { attr: string; graph: onnx.GraphProto.$Properties }[] = [];
    for (const a of list(n.attribute)) {
      if (a.g) subgraphs.push({ attr: text(a.name), graph: a.g });
      list(a.graphs).forEach((g, k) => subgraphs.push({ attr: `${text(a.name)}.${k}`, graph: g }));
    }
    const summaries = new Map<string, ViewSubgraphSummary>();
    if (subgraphs.length) {
      const controlId = `${id}:g`;
      this.addGroup({ id: controlId, kind: "control", label: op || "?", title: name || op, parent, nodeCount: 0 });
      parent = controlId;
      for (const { attr, graph } of subgraphs) {
        const groupId = `${id}:${attr}`;
        this.addGroup({ id: groupId, kind: "subgraph", label: attr, title: `${name || op} / ${attr}${graph.name ? ` (${graph.name})` : ""}`, parent: controlId, nodeCount: 0 });
        summaries.set(attr, { name: text(graph.name), nodeCount: list(graph.node).length, groupId });
        this.work.push({
          kind: "subgraph",
          nodes: list(graph.node),
          inputs: list(graph.input).map((v) => ({ name: text(v.name), type: viewType(v.type) })),
          outputs: list(graph.output).map((v) => ({ name: text(v.name), type: viewType(v.type) })),
          valueInfo: list(graph.valueInfo),
          initializers: list(graph.initializer),
          prefix: `${groupId}/`,
          group: groupId,
          scope: new ValueScope(scope),
          callStack: body.callStack,
          scopeBase,
          owner: id,
        });
      }
    }

    const node: MutableNode = {
      id, kind: "op", op, domain, name, parent, inputs, outputs,
      attributes: list(n.attribute).map((a) => viewAttribute(a, summaries)),
      metadata, provenance,
      ...(n.docString ? { docString: n.docString } : {}),
    };

    const key = functionKey(domain, op, text(n.overload));
    const fn = this.functions.get(key);
    if (fn && !subgraphs.length) {
      this.functionCalls.set(key, (this.functionCalls.get(key) ?? 0) + 1);
      const size = list(fn.node).length;
      if (body.callStack.includes(key)) {
        this.warnings.push(`Function ${domain ? `${domain}.` : ""}${op} calls itself (ONNX forbids recursion); the inner call is shown as one node.`);
      } else if (this.instantiated + size > MAX_INSTANTIATED_LEAVES) {
        this.truncatedFunctions = true;
      } else {
        this.instantiated += size;
        // The call is a group holding its body; the call itself is no leaf (its outputs are the body's).
        this.addGroup({ id, kind: "function", label: op || "?", title: `${domain ? `${domain}.` : ""}${op}${name ? ` (${name})` : ""}`, parent, node, nodeCount: 0 });
        const bodyTypes = new Map<string, ViewType | null>();
        list(fn.output).forEach((formal, k) => bodyTypes.set(formal, outputs[k]?.type ?? null));
        this.work.push({
          kind: "function",
          nodes: list(fn.node),
          inputs: list(fn.input).map((formal, k) => ({ name: formal, type: inputs[k]?.type ?? null })),
          outputs: list(fn.output).map((formal) => ({ name: formal, type: bodyTypes.get(formal) ?? null })),
          valueInfo: list(fn.valueInfo),
          initializers: [],
          prefix: `${id}>`,
          group: id,
          scope: new ValueScope(null), // a function body sees only its formals (no outer scope)
          callStack: [...body.callStack, key],
          scopeBase: fullScope,
          actualInputs: list(fn.input).map((_, k) => inputs[k] ?? null),
          callOutputs: outputs,
        });
        return;
      }
    }
    for (const v of outputs) v.producer = id;
    this.nodes.push(node);
  }

  /** A call's outputs are produced where the body defines them (through nested calls too). */
  private resolveAliases(): void {
    for (const [value] of this.aliases) {
      let target: MutableValue | undefined = value;
      const seen = new Set<MutableValue>();
      while (target && this.aliases.has(target) && !seen.has(target)) {
        seen.add(target);
        target = this.aliases.get(target);
      }
      if (target && target !== value) {
        if (target.producer) value.producer = target.producer;
        else delete value.producer;
      }
    }
  }

  private edges(): ViewEdge[] {
    const edges: ViewEdge[] = [];
    for (const node of this.nodes) {
      const seen = new Set<string>();
      for (const v of node.inputs) {
        if (!v) continue;
        (v as MutableValue).consumers.push(node.id);
        const source = v.producer;
        if (!source || source === node.id || seen.has(source)) continue;
        seen.add(source);
        edges.push({ source, target: node.id, value: v.name });
      }
    }
    return [...edges, ...this.extraEdges];
  }

  /** A scope with a single child (a node or another scope) adds a click and tells nothing: drop it. */
  private elideSingleChildScopes(): void {
    const children = new Map<string, { count: number; onlyKind: "leaf" | ViewGroup["kind"] }>();
    const note = (parent: string | null, kind: "leaf" | ViewGroup["kind"]) => {
      if (parent === null) return;
      const c = children.get(parent);
      if (c) c.count++;
      else children.set(parent, { count: 1, onlyKind: kind });
    };
    for (const n of this.nodes) note(n.parent, "leaf");
    for (const g of this.groups) note(g.parent, g.kind);
    const elided = new Set<string>();
    for (const g of this.groups) {
      const c = children.get(g.id);
      if (g.kind === "scope" && (!c || (c.count === 1 && (c.onlyKind === "leaf" || c.onlyKind === "scope")))) elided.add(g.id);
    }
    if (!elided.size) return;
    const resolve = (parent: string | null): string | null => {
      let p = parent;
      while (p !== null && elided.has(p)) p = this.groupById.get(p)?.parent ?? null;
      return p;
    };
    for (const n of this.nodes) n.parent = resolve(n.parent);
    for (const g of this.groups) g.parent = resolve(g.parent);
    const kept = this.groups.filter((g) => !elided.has(g.id));
    this.groups.length = 0;
    this.groups.push(...kept);
    for (const id of elided) this.groupById.delete(id);
  }

  private countGroupNodes(): void {
    for (const n of this.nodes) {
      if (n.kind !== "op") continue;
      for (let p = n.parent; p !== null; ) {
        const g = this.groupById.get(p);
        if (!g) break;
        g.nodeCount++;
        p = g.parent;
      }
    }
  }
}

function viewAttribute(a: onnx.AttributeProto.$Properties, summaries: ReadonlyMap<string, ViewSubgraphSummary>): ViewAttribute {
  const name = text(a.name);
  if (a.refAttrName) return { name, kind: "ref", value: a.refAttrName };
  const T = onnx.AttributeProto.AttributeType;
  const summary = (key: string, g: onnx.GraphProto.$Properties): ViewSubgraphSummary =>
    summaries.get(key) ?? { name: text(g.name), nodeCount: list(g.node).length };
  switch (a.type) {
    case T.INT: return { name, kind: "int", value: int64(a.i) };
    case T.FLOAT: return { name, kind: "float", value: a.f ?? 0 };
    case T.STRING: return { name, kind: "string", value: bytesText(a.s) };
    case T.INTS: return { name, kind: "ints", value: list(a.ints).map(int64) };
    case T.FLOATS: return { name, kind: "floats", value: [...list(a.floats)] };
    case T.STRINGS: return { name, kind: "strings", value: list(a.strings).map(bytesText) };
    case T.TENSOR: return a.t ? { name, kind: "tensor", value: viewTensor(a.t, undefined, name) } : { name, kind: "other", value: "tensor (empty)" };
    case T.TENSORS: return { name, kind: "tensors", value: list(a.tensors).map((t) => viewTensor(t, undefined, name)) };
    case T.GRAPH: return a.g ? { name, kind: "graph", value: summary(name, a.g) } : { name, kind: "other", value: "graph (empty)" };
    case T.GRAPHS: return { name, kind: "graphs", value: list(a.graphs).map((g, k) => summary(`${name}.${k}`, g)) };
    case T.SPARSE_TENSOR: return { name, kind: "other", value: "sparse tensor" };
    case T.SPARSE_TENSORS: return { name, kind: "other", value: `${list(a.sparseTensors).length} sparse tensors` };
    case T.TYPE_PROTO: return { name, kind: "other", value: "type" };
    case T.TYPE_PROTOS: return { name, kind: "other", value: `${list(a.typeProtos).length} types` };
    default:
      // IR < 2 files carry no type: infer it from the field that is set.
      if (a.g) return { name, kind: "graph", value: summary(name, a.g) };
      if (a.t) return { name, kind: "tensor", value: viewTensor(a.t, undefined, name) };
      if (list(a.ints).length) return { name, kind: "ints", value: list(a.ints).map(int64) };
      if (list(a.floats).length) return { name, kind: "floats", value: [...list(a.floats)] };
      if (a.s && a.s.byteLength) return { name, kind: "string", value: bytesText(a.s) };
      if (a.f) return { name, kind: "float", value: a.f };
      return { name, kind: "int", value: int64(a.i) };
  }
}

/** Decodes the bytes of an ONNX file (core's reader: the CLI's `inspect` reads the same way); throws OnnxViewError (never anything else) for bytes that are not one. */
export function decodeModelProto(bytes: Uint8Array): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new OnnxViewError("Expected the bytes of an .onnx file (a Uint8Array).");
  try {
    return readOnnxModel(bytes, `The file (${bytes.byteLength} bytes)`);
  } catch (e) {
    if (e instanceof OnnxReadError) throw new OnnxViewError(`${e.message}.`, e);
    throw e;
  }
}

/** The view of an already decoded (or hand-built) ModelProto. */
export function viewGraphFromModelProto(model: onnx.ModelProto.$Properties, extras: ViewExtras = {}): ViewGraph {
  try {
    return new ViewBuilder(model, extras).build();
  } catch (e) {
    if (e instanceof OnnxViewError) throw e;
    // A decoded message of the wrong shape (bytes of another protobuf) must read as a bad file, not crash the widget.
    const reason = e instanceof Error ? e.message : String(e);
    throw new OnnxViewError(`The ONNX model could not be read: ${reason}`, e);
  }
}

/** The view of an ONNX file's bytes. */
export function viewGraphFromOnnx(bytes: Uint8Array, extras: ViewExtras = {}): ViewGraph {
  return viewGraphFromModelProto(decodeModelProto(bytes), extras);
}
