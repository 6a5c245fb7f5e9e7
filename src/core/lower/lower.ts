/**
 * Lowers a capture's closed jaxpr to an IR graph, one rule per eqn. Before lowering it checks
 * every primitive (nested jaxprs included) against the registry and reports all missing rules at
 * once; while lowering it keeps going past a failing rule so that every failure is reported.
 */
import { BuilderError, GraphBuilder } from "../ir/builder";
import { DimParseError, dimsCompatible, formatShape } from "../ir/dims";
import { irTypeOf } from "../ir/complex";
import { isComplex } from "../ir/dtype";
import type { Graph, Node, OnnxFunction, TensorType } from "../ir/ir";
import { Value } from "../ir/ir";
import type { Atom, Capture, Eqn, FunctionCall, Jaxpr, SourceLoc } from "../interchange/capture";
import { ParamError, type ParamValue } from "../interchange/params";
import { LoweringContext, RuleFailure, type JaxprLowering } from "./context";
import { inversePerm, permute } from "../ir/perm";
import { ConversionError, formatSource, loweringFailedError, siteOf, unsupportedPrimitivesError, type ErrorSite } from "./errors";
import { FunctionLibrary } from "./functions";
import type { LoweringRule, RuleRegistry } from "./rule";

export const DEFAULT_OPSET = 21;

export interface LowerOptions {
  readonly registry: RuleRegistry;
  readonly opset?: number;
  readonly modelName?: string;
  /** Source paths in node metadata are made relative to this (see shortenPath); absolute if unset. */
  readonly sourceRoot?: string;
  /** Lower `@onnx_function` calls in place instead of as FunctionProto calls (a flat graph). */
  readonly inlineFunctions?: boolean;
}

export interface LoweredGraph {
  readonly graph: Graph;
  readonly opset: number;
  /** Model-local functions the graph calls (from `@onnx_function`), callees before callers. */
  readonly functions: readonly OnnxFunction[];
}

/** Every nested jaxpr in a param value (cond branches, loop bodies, call bodies). */
export function nestedJaxprs(v: ParamValue): Jaxpr[] {
  const found: Jaxpr[] = [];
  collectJaxprs(v, found);
  return found;
}

// Into one array: most params are tuples of ints, with nothing to find in them.
function collectJaxprs(v: ParamValue, into: Jaxpr[]): void {
  if (v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    for (const x of v) collectJaxprs(x, into);
    return;
  }
  const t = v as Exclude<ParamValue, null | boolean | number | string | readonly ParamValue[]>;
  if (t.kind === "jaxpr") into.push(t.jaxpr);
  else if (t.kind === "struct") for (const k in t.fields) collectJaxprs(t.fields[k], into);
  else if (t.kind === "dict") for (const k in t.entries) collectJaxprs(t.entries[k], into);
}

/** Whether an eqn reads or makes a complex value: then the registry's complex table lowers it. */
export function isComplexEqn(eqn: Eqn): boolean {
  for (const a of eqn.inputs) if (isComplex(a.kind === "var" ? a.var.aval.dtype : a.aval.dtype)) return true;
  for (const v of eqn.outputs) if (isComplex(v.aval.dtype)) return true;
  return false;
}

/** The rule that lowers `eqn`: from the complex table when the eqn touches complex values. */
export function ruleFor(registry: RuleRegistry, eqn: Eqn): LoweringRule | undefined {
  return isComplexEqn(eqn) ? registry.complex?.get(eqn.prim) : registry.get(eqn.prim);
}

/** Sites of primitives without a rule, in program order, nested jaxprs included. */
export function findUnsupported(jaxpr: Jaxpr, registry: RuleRegistry, scope: readonly string[] = [], source?: SourceLoc): ErrorSite[] {
  const sites: ErrorSite[] = [];
  for (const eqn of jaxpr.eqns) {
    const src = eqn.src ?? source;
    const eqnScope = (): string[] => [...scope, ...eqn.scope];
    if (!ruleFor(registry, eqn)) sites.push({ ...siteOf({ ...eqn, src }, eqnScope()), ...(isComplexEqn(eqn) && registry.has(eqn.prim) ? { complexOnly: true } : {}) });
    for (const name in eqn.params.values) {
      for (const inner of nestedJaxprs(eqn.params.values[name])) sites.push(...findUnsupported(inner, registry, eqnScope(), src));
    }
  }
  return sites;
}

class Lowering implements JaxprLowering {
  /** The graph being built: the model's, a function body's, or a subgraph's while a control-flow rule builds one. */
  builder: GraphBuilder;
  readonly failures: (ErrorSite & { reason: string })[] = [];
  readonly functions = new FunctionLibrary();
  /** Per graph that holds initializers (the model's, a function body's): buffer index -> initializer. */
  private readonly bufferValues = new Map<GraphBuilder, Map<number, Value>>();
  /** A subgraph builder -> the builder whose graph holds its initializers (its outermost one). */
  private readonly homes = new Map<GraphBuilder, GraphBuilder>();
  /** Initializers made from capture buffers (model weights), with their buffer index. */
  private readonly bufferOrigin = new Map<Value, number>();

  constructor(
    private readonly capture: Capture,
    private readonly registry: RuleRegistry,
    readonly opset: number,
    name: string,
    private readonly sourceRoot?: string,
    private readonly inlineFunctions = false,
  ) {
    this.builder = new GraphBuilder(name);
  }

  /**
   * An `@onnx_function` call: the body becomes a function (shared with earlier calls of the same
   * body) and the call one node in `domain`. The weights the body reads are the function's
   * trailing inputs, named by their path inside the called module (`linear1.kernel`), so one
   * function serves every instance; the call passes the model's initializers for them.
   */
  callFunction(fn: FunctionCall, jaxpr: Jaxpr, inputs: readonly Value[], scope: readonly string[], source?: SourceLoc): Value[] {
    if (this.inlineFunctions) return this.lowerJaxpr(jaxpr, inputs, scope, source);
    const outer = this.builder;
    const body = new GraphBuilder(fn.name);
    const bodyInputs = jaxpr.invars.map((v, i) => body.addInput(`in_${i}`, { dtype: v.aval.dtype, shape: [...v.aval.shape] }));
    this.builder = body;
    let outs: Value[];
    try {
      outs = this.lowerJaxpr(jaxpr, bodyInputs, [], source);
      const taken = new Set<Value>();
      for (const v of outs) {
        // Function outputs are node outputs, each once (as for the model's outputs).
        const out = !v.producer || taken.has(v) ? body.op("Identity", [v]) : v;
        taken.add(out);
        body.graph.outputs.push(out);
      }
    } finally {
      this.builder = outer;
    }
    const weights: Value[] = [];
    const prefixes = scope.map((_, k) => `${scope.slice(k).join(".")}.`);
    body.graph.initializers = body.graph.initializers.filter((w) => {
      const buffer = this.bufferOrigin.get(w);
      if (buffer === undefined) return true;
      const prefix = prefixes.find((p) => w.name.startsWith(p));
      w.name = body.names.unique(prefix ? w.name.slice(prefix.length) : w.name);
      w.tensor = null;
      body.graph.inputs.push(w);
      weights.push(this.bufferValue(buffer));
      return false;
    });
    const f = this.functions.add(fn.name, fn.domain, this.opset, body.graph);
    const types = jaxpr.outvars.map((a) => (a.kind === "var" ? a.var.aval : a.aval)).map((a): TensorType => ({ dtype: a.dtype, shape: [...a.shape] }));
    return outer.ops(f.name, [...inputs, ...weights], {}, { domain: f.domain, types, outputs: types.length });
  }

  lowerJaxpr(jaxpr: Jaxpr, inputs: readonly Value[], scope: readonly string[], source?: SourceLoc): Value[] {
    if (inputs.length !== jaxpr.invars.length) {
      throw new RuleFailure(`nested jaxpr takes ${jaxpr.invars.length} inputs, got ${inputs.length}`);
    }
    const env = new Map<number, Value>();
    jaxpr.invars.forEach((v, i) => env.set(v.id, inputs[i]));
    for (const c of jaxpr.constvars) env.set(c.id, this.bufferValue(c.buffer));
    const atom = (a: Atom): Value => {
      if (a.kind === "var") {
        const v = env.get(a.var.id);
        if (!v) throw new Error(`internal: var ${a.var.id} has no value`);
        return v;
      }
      if ("buffer" in a) return this.bufferValue(a.buffer);
      const value = typeof a.value === "object" ? BigInt(a.value.bigint) : a.value;
      return this.builder.scalar(value, a.aval.dtype);
    };
    const saved = { scope: this.builder.scope, metadata: this.builder.metadata };
    for (const eqn of jaxpr.eqns) {
      const eqnScope = [...scope, ...eqn.scope];
      const outs = this.lowerEqn(eqn, eqn.inputs.map(atom), eqnScope, eqn.src ?? source);
      eqn.outputs.forEach((v, i) => env.set(v.id, outs[i]));
    }
    this.builder.scope = saved.scope;
    this.builder.metadata = saved.metadata;
    return jaxpr.outvars.map(atom);
  }

  subgraph(name: string, inputs: readonly TensorType[], build: (inputs: Value[]) => readonly Value[]): Graph {
    const outer = this.builder;
    const inner = outer.child(name);
    this.homes.set(inner, this.homes.get(outer) ?? outer);
    const formals = inputs.map((t, i) => inner.addFreshInput(`${inner.graph.name}_in_${i}`, t));
    this.builder = inner;
    try {
      const outs = build(formals);
      inner.scope = outer.scope;
      inner.metadata = outer.metadata;
      inner.graph.outputs.push(...ownOutputs(inner, outs));
    } finally {
      this.builder = outer;
    }
    return inner.graph;
  }

  private lowerEqn(eqn: Eqn, inputs: Value[], scope: readonly string[], source: SourceLoc | undefined): Value[] {
    const rule = ruleFor(this.registry, eqn);
    if (!rule) throw new Error(`internal: no rule for ${eqn.prim} after the support check`);
    try {
      return this.applyRule(rule, eqn, inputs, scope, source);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      // Errors that explain themselves (a rule's reason, a param that does not fit, a dim that does
      // not parse) read as they are; anything else is a bug, named by its class.
      const plain = e instanceof RuleFailure || e instanceof BuilderError || e instanceof ParamError || e instanceof DimParseError;
      const reason = plain ? e.message : `${e.name}: ${e.message}`;
      this.failures.push({ ...siteOf({ ...eqn, src: source }, scope), reason });
      // Stand-ins typed like JAX's outputs let lowering continue and report every failure.
      return eqn.outputs.map((v, i) => new Value(`failed_${eqn.prim}_${i}`, irTypeOf(v.aval)));
    }
  }

  /** Lowers `eqn` with the real table's rule; failures propagate to the calling rule. */
  lowerWithRealRule(eqn: Eqn, inputs: readonly Value[], scope: readonly string[], source?: SourceLoc): Value[] {
    const rule = this.registry.get(eqn.prim);
    if (!rule) throw new RuleFailure(`${eqn.prim} has no lowering rule for real values`);
    const saved = { scope: this.builder.scope, metadata: this.builder.metadata };
    try {
      return this.applyRule(rule, eqn, [...inputs], scope, source);
    } finally {
      this.builder.scope = saved.scope;
      this.builder.metadata = saved.metadata;
    }
  }

  private applyRule(rule: LoweringRule, eqn: Eqn, inputs: Value[], scope: readonly string[], source: SourceLoc | undefined): Value[] {
    const path = scope.join("/");
    this.builder.scope = path;
    const metadata: Record<string, string> = { primitive: eqn.prim };
    if (path) metadata.scope = path;
    if (source) metadata.source = formatSource(source, this.sourceRoot);
    this.builder.metadata = metadata;
    const nodes = this.builder.graph.nodes;
    const firstNode = nodes.length;
    if (rule.minOpset !== undefined && this.opset < rule.minOpset) {
      throw new RuleFailure(`the rule for ${eqn.prim} needs opset >= ${rule.minOpset}; convert with opset=${rule.minOpset} or later`);
    }
    const result = rule.lower(new LoweringContext(this, eqn, inputs, scope, source), eqn);
    const outs = Array.isArray(result) ? [...(result as Value[])] : [result as Value];
    if (outs.length !== eqn.outputs.length) {
      throw new RuleFailure(`rule returned ${outs.length} outputs, JAX has ${eqn.outputs.length}`);
    }
    for (let i = 0; i < outs.length; i++) {
      const v = outs[i];
      const expected = irTypeOf(eqn.outputs[i].aval);
      checkAgainstAval(v.type, expected, i);
      // JAX's aval is the truth for the eqn's result: it names symbolic dims inference left open.
      if (madeSince(nodes, firstNode, v)) v.type = expected;
    }
    return outs;
  }

  private bufferValue(index: number): Value {
    const home = this.homes.get(this.builder) ?? this.builder;
    let values = this.bufferValues.get(home);
    if (!values) this.bufferValues.set(home, (values = new Map()));
    const cached = values.get(index);
    if (cached) return cached;
    const info = this.capture.buffers[index];
    const bytes = this.capture.bufferBytes[index];
    // A complex buffer's bytes are already its (real, imag) pair tensor's (src/core/ir/complex.ts).
    const { dtype, shape } = irTypeOf(info);
    const data = bytes ? { kind: "bytes" as const, bytes } : { kind: "host" as const, buffer: index, sourceShape: shape as number[] };
    const v = this.builder.initializer({ dtype, shape: shape as number[], data }, info.name ?? `const_${index}`);
    values.set(index, v);
    this.bufferOrigin.set(v, index);
    return v;
  }
}

/** Whether `v` is an output of one of the nodes from `first` on (the ones a rule just made). */
function madeSince(nodes: readonly Node[], first: number, v: Value): boolean {
  for (let k = first; k < nodes.length; k++) if (nodes[k].outputs.includes(v)) return true;
  return false;
}

function checkAgainstAval(t: TensorType, aval: TensorType, i: number): void {
  const same = t.dtype === aval.dtype && t.shape.length === aval.shape.length && t.shape.every((d, k) => dimsCompatible(d, aval.shape[k]) || (typeof d !== "number" && typeof aval.shape[k] !== "number"));
  if (!same) {
    throw new RuleFailure(`rule produced ${t.dtype}${formatShape(t.shape)} for output ${i}, JAX has ${aval.dtype}${formatShape(aval.shape)} (a bug in the rule)`);
  }
}

/**
 * The Transpose perm from channels last (N, H, W, C: JAX's convolution layout) to channels first
 * (N, C, H, W: ONNX's), for a JAX value of rank `rank` held as an IR value of rank `irRank` (one
 * more for complex pairs, whose trailing axis stays last).
 */
function channelsFirstPerm(rank: number, irRank: number, what: string): number[] {
  if (rank < 3) throw new ConversionError("invalid_capture", `NCHW layout for ${what}: it has rank ${rank}, channels-first needs rank >= 3 (N, C, spatial...)`);
  const perm = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, k) => k + 1)];
  for (let k = rank; k < irRank; k++) perm.push(k);
  return perm;
}

/** Lowers the capture's program to an IR graph with named inputs and outputs. */
export function lowerCapture(capture: Capture, options: LowerOptions): LoweredGraph {
  const unsupported = findUnsupported(capture.jaxpr, options.registry);
  if (unsupported.length) throw unsupportedPrimitivesError(unsupported);
  const opset = options.opset ?? capture.model.opset ?? DEFAULT_OPSET;
  const lowering = new Lowering(capture, options.registry, opset, options.modelName ?? capture.model.name, options.sourceRoot, options.inlineFunctions);
  const { builder } = lowering;
  for (const name of capture.model.outputs) builder.names.reserve(name);
  const nchwInputs = new Set(capture.model.nchwInputs ?? []);
  const nchwOutputs = new Set(capture.model.nchwOutputs ?? []);
  const inputs = capture.jaxpr.invars.map((v, i) => {
    const name = capture.model.inputs[i];
    const type = irTypeOf(v.aval);
    if (!nchwInputs.has(i)) return builder.addInput(name, type);
    // inputs_as_nchw: the graph takes channels first; the program reads channels last.
    const perm = channelsFirstPerm(v.aval.shape.length, type.shape.length, `input ${i} (${name})`);
    const edge = builder.addInput(name, { dtype: type.dtype, shape: permute(type.shape, perm) });
    return builder.op("Transpose", [edge], { perm: inversePerm(perm) });
  });
  const outs = lowering.lowerJaxpr(capture.jaxpr, inputs, []);
  if (lowering.failures.length) throw loweringFailedError(lowering.failures);
  const graph = builder.graph;
  builder.scope = "";
  builder.metadata = {};
  const edged = outs.map((v, i) => {
    if (!nchwOutputs.has(i)) return v;
    // outputs_as_nchw: the program's channels-last result leaves the graph channels first.
    const outvar = capture.jaxpr.outvars[i];
    const rank = (outvar.kind === "var" ? outvar.var.aval : outvar.aval).shape.length;
    return builder.op("Transpose", [v], { perm: channelsFirstPerm(rank, v.type.shape.length, `output ${i} (${capture.model.outputs[i]})`) });
  });
  ownOutputs(builder, edged).forEach((out, i) => {
    out.name = capture.model.outputs[i];
    graph.outputs.push(out);
  });
  return { graph, opset, functions: lowering.functions.functions };
}

/**
 * A graph's outputs must be values its own nodes make, each under its own name: inputs,
 * initializers, values of an enclosing graph and repeated outputs go through an Identity.
 */
function ownOutputs(builder: GraphBuilder, outs: readonly Value[]): Value[] {
  const own = new Set(builder.graph.nodes.flatMap((n) => n.outputs));
  const taken = new Set<Value>();
  return outs.map((v) => {
    const out = !own.has(v) || taken.has(v) ? builder.op("Identity", [v]) : v;
    taken.add(out);
    return out;
  });
}
