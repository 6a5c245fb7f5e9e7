/**
 * Applies the fusion rules (src/core/fusion/rules.ts): a node whose output matches a rule's
 * pattern (and passes its check) becomes the fused op on the rule's inputs; helper nodes the
 * rewrite asks for go right before it; the matched intermediates are left for dead-code
 * elimination (and stay if something else reads them). The fused node keeps the root node's
 * scope and source, is named after its new op, and records the rule as its primitive. Rules run
 * to a fixpoint, so one fusion's result can be the next one's input (Gemm, then a BatchNorm
 * scale folded into it). Rejections are kept with their reasons (`rejections`) for tests and
 * for anyone asking why a graph was not fused. Subgraphs (If branches, Loop and Scan bodies) are
 * fused the same way, first; a pattern may match across the boundary (the fused node then reads
 * an outer value, as ONNX allows), but an outer value counts as read elsewhere, so nothing that
 * needs a sole reader (weight folds) crosses it.
 */
import { encodeScalars, type DType } from "../ir/dtype";
import { NameTable } from "../ir/builder";
import { Node, Value, type Attr, type Graph, type TensorType } from "../ir/ir";
import { nodeReads } from "../ir/walk";
import { FUSION_RULES, type FusionRule } from "../fusion/rules";
import { match } from "../fusion/pattern";
import { hasFusedKernels, type FusionContext } from "../fusion/rule";
import { hasKernel } from "../lower/kernel-gaps";
import { GraphPass, type PassResult } from "./pass";

/** A pattern that matched but whose check said no. */
export interface Rejection {
  readonly rule: string;
  readonly node: string;
  readonly reason: string;
}

/** Rewrites beyond one per node allowed before a rule set is taken to loop (a bug). */
const MAX_ROUNDS = 10_000;
/** How far below a rewrite a pattern rooted there can reach back (the deepest rules, gelu and
 * layer norm, span fewer nodes): the nodes within it are looked at again after a rewrite. */
const PATTERN_DEPTH = 8;

export class FusePatterns extends GraphPass {
  readonly name = "fuse-patterns";
  private readonly rules: readonly FusionRule[];
  // The rules whose pattern can match at a node of each op, in rule order (a pattern rooted at
  // an op matches only that op's output): most nodes are tried against none or a few rules.
  private readonly rulesByRoot = new Map<string, readonly FusionRule[]>();
  readonly rejections: Rejection[] = [];
  // Reasons seen per rule and node, in nested maps: a pattern that matches but fails its check
  // is common (every Add is tried as a layer norm), and a key joined from the three strings
  // cost more than the lookups (each a string the rules and nodes already hold).
  private readonly rejected = new Map<string, Map<string, Set<string>>>();
  private readonly ops = new Set<string>();

  constructor(
    private readonly opset: number,
    rules: readonly FusionRule[] = FUSION_RULES,
  ) {
    super();
    this.rules = rules.filter((r) => opset >= r.minOpset);
  }

  protected call(graph: Graph): PassResult {
    // Names are unique across a graph and its subgraphs (ONNX forbids shadowing).
    const names = new NameTable();
    const taken = new Set<string>();
    // The ops of the whole model (a pattern may reach across a subgraph's boundary), for rules'
    // `needs`; a rewrite adds its ops, and nothing is taken out while the pass runs.
    this.ops.clear();
    const collect = (g: Graph): void => {
      for (const v of g.inputs) taken.add(v.name);
      for (const v of g.initializers) taken.add(v.name);
      for (const n of g.nodes) {
        taken.add(n.name);
        this.ops.add(n.op);
        for (const o of n.outputs) taken.add(o.name);
        for (const a of Object.values(n.attrs)) if (a.type === "graph") collect(a.value);
      }
    };
    collect(graph);
    for (const name of taken) names.reserve(name);
    return { graph, modified: this.fuseGraph(graph, names) };
  }

  private fuseGraph(graph: Graph, names: NameTable): boolean {
    let modified = false;
    for (const node of graph.nodes) for (const a of Object.values(node.attrs)) if (a.type === "graph") modified = this.fuseGraph(a.value, names) || modified;
    // One sweep reaches the fixpoint: every node a rewrite can make matchable is looked at again
    // within it (see sweep). A confirming second sweep found nothing on any graph of the catalog
    // or the tests (src/core/fusion/testing.ts fuses every test graph twice to keep it so) and
    // cost a third of the pass.
    return this.sweep(graph, names, new LiveReaders(graph)) > 0 || modified;
  }

  /**
   * One pass over the nodes, last first, rewriting every node some rule fuses; returns how many.
   * After a rewrite, the nodes below it whose pattern could now match (those reading, within
   * PATTERN_DEPTH steps, the rewritten node or a value whose reader count crossed 0 or 1) are
   * looked at again before the sweep goes on up: the order a restart from the last node after
   * every rewrite gave, without rescanning the unchanged rest.
   */
  private sweep(graph: Graph, names: NameTable, live: LiveReaders): number {
    // Where each node sits: its index, and helpers between their node and what came before it
    // (where a splice would have put them), so the order is kept without moving the array.
    const keyOf = new Map<Node, number>(graph.nodes.map((n, i) => [n, i]));
    const floorOf = new Map<Node, number>();
    const readersOf = new Map<Value, Node[]>();
    const addReader = (n: Node): void => {
      for (const v of nodeReads(n)) {
        const list = readersOf.get(v);
        if (list) list.push(n);
        else readersOf.set(v, [n]);
      }
    };
    graph.nodes.forEach(addReader);
    // Nodes above the cursor (already passed, or new) to look at again, highest key last.
    const pending: Node[] = [];
    const queued = new Set<Node>();
    let cursor = graph.nodes.length - 1;
    let added = false;
    const enqueue = (n: Node): void => {
      const key = keyOf.get(n);
      // A node no rule is rooted at is never rewritten: only walked through (below).
      if (key !== undefined && key > cursor && !queued.has(n) && this.rulesAt(n.op).length) {
        queued.add(n);
        pending.push(n);
        added = true;
      }
    };
    const requeue = (changed: readonly Value[], root: Node, helpers: readonly Node[]): void => {
      let frontier: Node[] = [root, ...helpers];
      const seen = new Set<Node>(frontier);
      for (const v of changed) for (const n of readersOf.get(v) ?? []) if (!seen.has(n)) seen.add(n), frontier.push(n);
      added = false;
      for (let depth = 0; depth < PATTERN_DEPTH && frontier.length; depth++) {
        const next: Node[] = [];
        for (const n of frontier) {
          enqueue(n);
          for (const o of n.outputs) for (const r of readersOf.get(o) ?? []) if (!seen.has(r)) seen.add(r), next.push(r);
        }
        frontier = next;
      }
      if (added) pending.sort((a, b) => keyOf.get(a)! - keyOf.get(b)!);
    };
    let rewrites = 0;
    // Last node first: the widest pattern is rooted at its last node (relu6's Min before its
    // Max, a BatchNorm's final Add before the Linear's bias Add), so it is seen before a
    // smaller pattern inside it is rewritten away.
    while (pending.length || cursor >= 0) {
      let node: Node;
      if (pending.length) {
        node = pending.pop()!;
        queued.delete(node);
      } else node = graph.nodes[cursor--];
      if (node.outputs.length !== 1 || node.domain !== "" || !live.isLive(node.outputs[0])) continue;
      live.touched.length = 0;
      const helpers = this.fuseAt(graph, node, names, live);
      if (!helpers) continue;
      const key = keyOf.get(node)!;
      const floor = floorOf.get(node) ?? key - 1;
      helpers.forEach((h, j) => {
        keyOf.set(h, floor + ((key - floor) * (j + 1)) / (helpers.length + 1));
        floorOf.set(h, j === 0 ? floor : keyOf.get(helpers[j - 1])!);
        addReader(h);
      });
      if (helpers.length) floorOf.set(node, keyOf.get(helpers[helpers.length - 1])!);
      addReader(node);
      requeue(live.touched, node, helpers);
      rewrites++;
      if (rewrites > MAX_ROUNDS + keyOf.size) throw new Error(`fuse-patterns: no fixpoint after ${rewrites} rewrites (rules that undo each other?)`);
    }
    if (keyOf.size > graph.nodes.length) graph.nodes = [...keyOf.keys()].sort((a, b) => keyOf.get(a)! - keyOf.get(b)!);
    return rewrites;
  }

  /** Rewrites `node` with the first rule that fuses it; the helper nodes to insert before it, or null. */
  private rulesAt(op: string): readonly FusionRule[] {
    let rules = this.rulesByRoot.get(op);
    if (!rules) {
      rules = this.rules.filter((r) => r.pattern.kind !== "op" || r.pattern.op === op);
      this.rulesByRoot.set(op, rules);
    }
    return rules;
  }

  private fuseAt(graph: Graph, node: Node, names: NameTable, live: LiveReaders): Node[] | null {
    for (const rule of this.rulesAt(node.op)) {
      if (rule.needs && !rule.needs.every((op) => this.ops.has(op))) continue;
      const bindings = match(rule.pattern, node.outputs[0]);
      if (!bindings) continue;
      const helpers: Node[] = [];
      const ctx = this.context(graph, node, names, live, helpers);
      const verdict = !hasFusedKernels(node.outputs[0]) ? { reason: `no fused kernels for ${node.outputs[0].type.dtype} in onnxruntime` } : rule.check ? rule.check(bindings, ctx) : true;
      if (verdict !== true) {
        this.reject(rule.name, node.name, verdict.reason);
        continue;
      }
      const fused = rule.rewrite(bindings, ctx);
      // A fused op onnxruntime cannot run at this dtype (Gelu in float64) would break the model;
      // the helpers are dropped (constants it made are left for dead-code elimination).
      const dtype = fused.inputs[0]?.type.dtype;
      if (dtype && !hasKernel(fused.op, dtype)) {
        this.reject(rule.name, node.name, `onnxruntime has no ${fused.op} kernel for ${dtype}`);
        continue;
      }
      const oldReads = nodeReads(node);
      // The name says what the node is now: ".../Div" fused into an AveragePool is ".../AveragePool".
      const like = fused.like ?? node;
      const scope = like.name.includes("/") ? like.name.slice(0, like.name.lastIndexOf("/") + 1) : "";
      if (like !== node) {
        node.metadata = like.metadata;
        like.name = names.unique(`${like.name}_fused`);
      }
      node.name = fused.op === node.op && like === node ? node.name : names.unique(`${scope}${fused.op}`);
      node.op = fused.op;
      node.inputs = [...fused.inputs];
      node.attrs = { ...fused.attrs };
      const was = node.metadata.primitive ?? "";
      node.metadata = { ...node.metadata, primitive: was.includes("(fused: ") ? was.replace(/\)$/, `, ${rule.name})`) : `${was} (fused: ${rule.name})`.trim() };
      // Reads first added, then removed: a value read both before and after never dies on the way.
      this.ops.add(node.op);
      for (const h of helpers) live.define(h), this.ops.add(h.op);
      for (const v of nodeReads(node)) live.addRead(v);
      for (const v of oldReads) live.removeRead(v);
      return helpers;
    }
    return null;
  }

  private reject(rule: string, node: string, reason: string): void {
    let byNode = this.rejected.get(rule);
    if (!byNode) this.rejected.set(rule, (byNode = new Map()));
    let reasons = byNode.get(node);
    if (!reasons) byNode.set(node, (reasons = new Set()));
    if (reasons.has(reason)) return;
    reasons.add(reason);
    this.rejections.push({ rule, node, reason });
  }

  private context(graph: Graph, root: Node, names: NameTable, live: LiveReaders, helpers: Node[]): FusionContext {
    const scope = root.name.includes("/") ? root.name.slice(0, root.name.lastIndexOf("/") + 1) : "";
    const takeName = (v: Value): string => {
      const old = v.name;
      v.name = names.unique(`${old}_unfolded`);
      return old;
    };
    return {
      opset: this.opset,
      root,
      readers: (v) => live.readers(v),
      takeName,
      node: (op: string, inputs: readonly (Value | null)[], attrs: Readonly<Record<string, Attr>>, type: TensorType, outputName?: string) => {
        const name = names.unique(`${scope}${op}`);
        const out = new Value(outputName ?? names.unique(`${name}_output_0`), type);
        helpers.push(new Node(name, op, [...inputs], [out], { ...attrs }, "", root.metadata));
        return out;
      },
      constant: (values: readonly number[], dtype: DType, shape: readonly number[], replaces?: Value) => {
        const inherit = replaces?.tensor && live.isLocal(replaces) && !replaces.producer && live.readers(replaces) <= 1 && !graph.outputs.includes(replaces);
        const name = inherit ? takeName(replaces) : names.unique(`${scope.replace(/\//g, ".")}fused_const`);
        const v = new Value(name, { dtype, shape });
        v.tensor = { dtype, shape, data: { kind: "bytes", bytes: encodeScalars(values, dtype) } };
        graph.initializers.push(v);
        live.defineValue(v);
        return v;
      },
    };
  }
}

/**
 * How many live nodes read each value of one graph, kept current as rewrites change what the
 * nodes read: a node is live while one of its outputs is read (or is a graph output), and a node
 * that dies stops counting as a reader of its inputs (a node a rewrite bypassed still reads its
 * inputs until dead-code elimination, and must not block the next fusion). Values of an
 * enclosing graph may have readers there: never a sole reader here.
 */
class LiveReaders {
  private readonly counts = new Map<Value, number>();
  /** Values whose reader count went to or from 0 or 1 (what rules test) since last cleared. */
  readonly touched: Value[] = [];
  private readonly local: Set<Value>;

  constructor(graph: Graph) {
    this.local = new Set<Value>([...graph.inputs, ...graph.initializers, ...graph.nodes.flatMap((n) => n.outputs)]);
    for (const v of graph.outputs) this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const n = graph.nodes[i];
      if (n.outputs.some((o) => this.isLive(o))) for (const v of nodeReads(n)) this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
    }
  }

  readers(v: Value): number {
    return this.local.has(v) ? (this.counts.get(v) ?? 0) : Number.POSITIVE_INFINITY;
  }

  isLive(v: Value): boolean {
    return (this.counts.get(v) ?? 0) > 0;
  }

  isLocal(v: Value): boolean {
    return this.local.has(v);
  }

  /** A node new to the graph (a helper): dead until something reads its output. */
  define(node: Node): void {
    for (const o of node.outputs) this.local.add(o);
  }

  defineValue(v: Value): void {
    this.local.add(v);
  }

  addRead(v: Value): void {
    const n = (this.counts.get(v) ?? 0) + 1;
    this.counts.set(v, n);
    if (n <= 2) this.touched.push(v);
    const p = v.producer;
    // The first read of a dead node's output brings the node (and what it reads) back to life.
    if (n === 1 && p && this.local.has(v) && p.outputs.every((o) => o === v || !this.isLive(o))) for (const u of nodeReads(p)) this.addRead(u);
  }

  removeRead(v: Value): void {
    const n = (this.counts.get(v) ?? 0) - 1;
    this.counts.set(v, n);
    if (n <= 1) this.touched.push(v);
    const p = v.producer;
    if (n === 0 && p && this.local.has(v) && !p.outputs.some((o) => this.isLive(o))) for (const u of nodeReads(p)) this.removeRead(u);
  }
}
