/**
 * The builder plugins emit ONNX through: typed values, nodes named by scope, constants deduped,
 * and symbolic dimensions computed at run time from the graph inputs' shapes. Every op's output
 * type comes from src/core/ops/type-rules.ts (or is given explicitly), so nothing is untyped.
 */
import { TYPE_RULES, OnnxTypeError } from "../ops/type-rules";
import { parseDim, type Dim, type DimExpr } from "./dims";
import { encodeScalars, type DType } from "./dtype";
import { Graph, Node, Value, attr, knownValues, type Attr, type NodeMetadata, type Tensor, type TensorType } from "./ir";

/** Attribute values as plugins write them: ints, int lists and strings plain; the rest via `attr`. */
export type AttrInput = number | readonly number[] | string | Attr;

export interface OpOptions {
  /** Number of outputs (default 1). */
  readonly outputs?: number;
  /** Output types, for ops without a type rule or to state a more precise type. */
  readonly types?: readonly TensorType[];
  readonly domain?: string;
}

export class BuilderError extends Error {
  override name = "BuilderError";
}

/** Unique names across a model (ONNX subgraphs may not shadow outer names). */
export class NameTable {
  private readonly counts = new Map<string, number>();
  private readonly used = new Set<string>();

  reserve(name: string): void {
    if (this.used.has(name)) throw new BuilderError(`name "${name}" is used twice`);
    this.used.add(name);
  }

  unique(base: string): string {
    let name = base;
    let n = this.counts.get(base) ?? 0;
    while (this.used.has(name)) name = `${base}_${++n}`;
    this.counts.set(base, n);
    this.used.add(name);
    return name;
  }
}

function toAttr(name: string, v: AttrInput): Attr {
  if (typeof v === "string") return attr.string(v);
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new BuilderError(`attribute ${name}=${v}: plain numbers are ints; use attr.float(...)`);
    return attr.int(v);
  }
  if (Array.isArray(v)) {
    if (!v.every(Number.isInteger)) throw new BuilderError(`attribute ${name}: plain lists are ints; use attr.floats(...)`);
    return attr.ints(v);
  }
  return v as Attr;
}

interface SymbolSource {
  readonly value: Value;
  readonly axis: number;
}

export class GraphBuilder {
  readonly graph: Graph;
  /** Provenance stamped on every node made until it changes (set per eqn by the lowering). */
  metadata: NodeMetadata = {};
  /** Name prefix for nodes (the module scope), e.g. "linear1". */
  scope = "";
  private readonly constants = new Map<string, Value>();
  private readonly symbols = new Map<string, SymbolSource>();
  private readonly dimCache = new Map<string, Value>();

  constructor(
    name: string,
    readonly names: NameTable = new NameTable(),
    /** Emit constants as Constant nodes instead of initializers (ONNX function bodies have none). */
    private readonly constantsAsNodes = false,
    /**
     * The builder of the enclosing graph, for subgraphs (If branches, Loop and Scan bodies).
     * Constants, initializers and symbolic-dim computations go to the outermost graph, which
     * the body reads by outer-scope reference (ONNX allows a subgraph to read any value of an
     * enclosing graph); so they are shared, deduplicated, and computed once, not per iteration.
     */
    readonly parent?: GraphBuilder,
  ) {
    this.graph = new Graph(name);
  }

  /** A builder for a subgraph of this graph; value names stay unique across the whole model. */
  child(name: string): GraphBuilder {
    const sub = new GraphBuilder(this.names.unique(name), this.names, this.constantsAsNodes, this);
    sub.scope = this.scope;
    sub.metadata = this.metadata;
    return sub;
  }

  private get root(): GraphBuilder {
    return this.parent ? this.parent.root : this;
  }

  addInput(name: string, type: TensorType): Value {
    this.names.reserve(name);
    return this.input(name, type);
  }

  /** An input named `base`, or `base_1`, ... when that is taken (subgraphs' formal inputs). */
  addFreshInput(base: string, type: TensorType): Value {
    return this.input(this.names.unique(base), type);
  }

  private input(name: string, type: TensorType): Value {
    const v = new Value(name, type);
    this.graph.inputs.push(v);
    // A subgraph's inputs (loop-carried values) are no source of symbolic dims: those come from
    // the model's inputs, through the outermost builder.
    if (this.parent) return v;
    type.shape.forEach((d, axis) => {
      if (typeof d === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(d) && !this.symbols.has(d)) {
        this.symbols.set(d, { value: v, axis });
      }
    });
    return v;
  }

  /** An initializer holding `tensor`; `name` is made unique. */
  initializer(tensor: Tensor, name: string): Value {
    if (this.parent) return this.root.initializer(tensor, name);
    const v = new Value(this.names.unique(name), { dtype: tensor.dtype, shape: tensor.shape });
    v.tensor = tensor;
    this.graph.initializers.push(v);
    return v;
  }

  /** A small constant initializer from scalar values; identical constants are shared. */
  constant(values: readonly (number | boolean | bigint)[], dtype: DType, shape: readonly number[] = [values.length], name = "const"): Value {
    return this.constantBytes(encodeScalars(values, dtype), dtype, shape, name);
  }

  constantBytes(bytes: Uint8Array, dtype: DType, shape: readonly number[], name = "const"): Value {
    if (this.parent && !this.constantsAsNodes) return this.root.constantBytes(bytes, dtype, shape, name);
    const key = `${dtype}|${shape.join(",")}|${bytes.join(",")}`;
    const cached = bytes.byteLength <= 1024 ? this.constants.get(key) : undefined;
    if (cached) return cached;
    const tensor: Tensor = { dtype, shape, data: { kind: "bytes", bytes } };
    const v = this.constantsAsNodes ? this.op("Constant", [], { value: attr.tensor(tensor) }) : this.initializer(tensor, name);
    if (bytes.byteLength <= 1024) this.constants.set(key, v);
    return v;
  }

  scalar(value: number | boolean | bigint, dtype: DType): Value {
    return this.constant([value], dtype, []);
  }

  int64s(values: readonly number[]): Value {
    return this.constant(values, "int64");
  }

  /** Values of an initializer whose bytes the converter holds, else null. */
  constantValues(v: Value | null): readonly number[] | null {
    return knownValues(v);
  }

  op(op: string, inputs: readonly (Value | null)[], attrs: Readonly<Record<string, AttrInput>> = {}, opts: OpOptions = {}): Value {
    if ((opts.outputs ?? 1) !== 1) throw new BuilderError(`${op}: use ops() for ${opts.outputs} outputs`);
    return this.ops(op, inputs, attrs, opts)[0];
  }

  ops(op: string, inputs: readonly (Value | null)[], attrs: Readonly<Record<string, AttrInput>> = {}, opts: OpOptions = {}): Value[] {
    const attributes = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, toAttr(k, v)]));
    const types = opts.types ?? this.inferTypes(op, inputs, attributes);
    const count = opts.outputs ?? types.length;
    if (types.length < count) throw new BuilderError(`${op}: ${count} outputs but ${types.length} types`);
    const nodeName = this.names.unique(this.scope ? `${this.scope}/${op}` : op);
    const outputs = types.slice(0, count).map((t, i) => new Value(this.names.unique(`${nodeName}_output_${i}`), t));
    const node = new Node(nodeName, op, [...inputs], outputs, attributes, opts.domain ?? "", this.metadata);
    this.graph.nodes.push(node);
    return outputs;
  }

  private inferTypes(op: string, inputs: readonly (Value | null)[], attrs: Record<string, Attr>): TensorType[] {
    const rule = TYPE_RULES.get(op);
    if (!rule) throw new BuilderError(`no type rule for ONNX op ${op}: pass opts.types or add one to src/core/ops/type-rules.ts`);
    try {
      return rule({ op, inputs: inputs.map((v) => v?.type ?? null), attrs, constant: (i) => this.constantValues(inputs[i] ?? null) });
    } catch (e) {
      if (e instanceof OnnxTypeError) throw new BuilderError(`${op} on ${inputs.map((v) => v && `${v.type.dtype}[${v.type.shape.join(",")}]`).join(", ")}: ${e.message}`);
      throw e;
    }
  }

  /** An int64 1-D shape tensor for `dims`; symbolic dims are computed from the graph inputs. */
  shapeTensor(dims: readonly Dim[]): Value {
    if (this.parent) return this.root.shapeTensor(dims);
    if (dims.every((d): d is number => typeof d === "number")) return this.int64s(dims);
    const parts: Value[] = [];
    let run: number[] = [];
    for (const d of dims) {
      if (typeof d === "number") {
        run.push(d);
        continue;
      }
      if (run.length) parts.push(this.int64s(run));
      run = [];
      parts.push(this.dimTensor(d));
    }
    if (run.length) parts.push(this.int64s(run));
    return parts.length === 1 ? parts[0] : this.op("Concat", parts, { axis: 0 });
  }

  /** A dim as an int64 tensor of shape [1], computed once per expression. */
  dimTensor(d: Dim): Value {
    if (this.parent) return this.root.dimTensor(d);
    if (d === null) throw new BuilderError("cannot compute an unknown dimension");
    if (typeof d === "number") return this.int64s([d]);
    const cached = this.dimCache.get(d);
    if (cached) return cached;
    const saved = this.metadata;
    this.metadata = { ...saved, primitive: saved.primitive ?? "dim" };
    const v = this.dimExpr(parseDim(d), d);
    this.metadata = saved;
    this.dimCache.set(d, v);
    return v;
  }

  private dimExpr(e: DimExpr, text: string): Value {
    switch (e.kind) {
      case "int": return this.int64s([e.value]);
      case "sym": {
        const src = this.symbols.get(e.name);
        if (!src) throw new BuilderError(`dimension "${text}" uses symbol ${e.name}, which no graph input has as a plain dimension`);
        const cached = this.dimCache.get(e.name);
        if (cached) return cached;
        const v = this.op("Shape", [src.value], { start: src.axis, end: src.axis + 1 });
        this.dimCache.set(e.name, v);
        return v;
      }
      case "add": return this.op("Add", [this.dimExpr(e.a, text), this.dimExpr(e.b, text)]);
      case "sub": return this.op("Sub", [this.dimExpr(e.a, text), this.dimExpr(e.b, text)]);
      case "mul": return this.op("Mul", [this.dimExpr(e.a, text), this.dimExpr(e.b, text)]);
      case "pow": {
        if (e.b.kind !== "int" || e.b.value < 1) throw new BuilderError(`dimension "${text}": only positive integer powers`);
        const base = this.dimExpr(e.a, text);
        let out = base;
        for (let i = 1; i < e.b.value; i++) out = this.op("Mul", [out, base]);
        return out;
      }
      case "call": {
        const args = e.args.map((a) => this.dimExpr(a, text));
        switch (e.fn) {
          // ONNX integer Div truncates toward zero; floor division is (a - mod(a, b)) / b with
          // Mod's default (fmod=0) taking the divisor's sign, as Python's % does.
          case "floordiv": return this.op("Div", [this.op("Sub", [args[0], this.op("Mod", args)]), args[1]]);
          case "mod": return this.op("Mod", args);
          case "max": return this.op("Max", args);
          case "min": return this.op("Min", args);
          case "non_negative": return this.op("Max", [args[0], this.int64s([0])]);
        }
      }
    }
  }
}
