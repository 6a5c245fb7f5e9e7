/** Graph walks that account for subgraphs (If/Loop bodies read outer values by reference). */
import type { Graph, Node, Value } from "./ir";

/** Values a node reads, including outer values read inside its subgraphs. */
export function nodeReads(node: Node): Value[] {
  // Plain loops: every pass asks this of every node, many times.
  const reads: Value[] = [];
  for (const v of node.inputs) if (v !== null) reads.push(v);
  for (const key in node.attrs) {
    const a = node.attrs[key];
    if (a.type === "graph") reads.push(...outerReads(a.value));
  }
  return reads;
}

/** Values a (sub)graph reads that it does not define itself. */
export function outerReads(graph: Graph): Value[] {
  const defined = new Set<Value>([...graph.inputs, ...graph.initializers, ...graph.nodes.flatMap((n) => n.outputs)]);
  const reads = [...graph.nodes.flatMap(nodeReads), ...graph.outputs];
  return reads.filter((v) => !defined.has(v));
}

/** Replaces every read of `from` by `to`, in this graph and its subgraphs. */
export function replaceAllUses(graph: Graph, from: Value, to: Value): void {
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((v) => (v === from ? to : v));
    for (const a of Object.values(node.attrs)) if (a.type === "graph") replaceAllUses(a.value, from, to);
  }
  graph.outputs.forEach((v, i) => {
    if (v === from) graph.outputs[i] = to;
  });
}

/** How many times each value is read (subgraphs included). */
export function useCounts(graph: Graph): Map<Value, number> {
  const counts = new Map<Value, number>();
  const add = (v: Value): void => void counts.set(v, (counts.get(v) ?? 0) + 1);
  graph.nodes.flatMap(nodeReads).forEach(add);
  graph.outputs.forEach(add);
  return counts;
}

/**
 * Replacements of values collected during a pass and applied in one walk at its end (`apply`):
 * a pass that called replaceAllUses once per rewrite walked the whole graph each time, which is
 * quadratic in graph size. Until `apply`, the pass reads inputs through `resolve`, which follows
 * chains (a -> b, b -> c gives a -> c), so it sees the graph as if each replacement were done.
 */
export class ValueReplacements {
  private readonly map = new Map<Value, Value>();

  get size(): number {
    return this.map.size;
  }

  replace(from: Value, to: Value): void {
    const target = this.resolve(to);
    if (target !== from) this.map.set(from, target);
  }

  resolve(v: Value): Value;
  resolve(v: Value | null): Value | null;
  resolve(v: Value | null): Value | null {
    if (v === null) return null;
    let to = this.map.get(v);
    if (to === undefined) return v;
    // Path compression: the next lookup of v is one step.
    for (let next = this.map.get(to); next !== undefined; next = this.map.get(to)) to = next;
    this.map.set(v, to);
    return to;
  }

  /** Replaces every read of a replaced value, in this graph and its subgraphs. */
  apply(graph: Graph): void {
    if (!this.map.size) return;
    for (const node of graph.nodes) {
      if (node.inputs.some((v) => v !== null && this.map.has(v))) node.inputs = node.inputs.map((v) => this.resolve(v));
      for (const a of Object.values(node.attrs)) if (a.type === "graph") this.apply(a.value);
    }
    graph.outputs.forEach((v, i) => {
      graph.outputs[i] = this.resolve(v);
    });
  }
}

/**
 * Who reads each value (a read inside a node's subgraph counts as a read by that node), kept
 * current while a pass rewires nodes: call `remove(node)` before changing a node's inputs and
 * `add(node)` after. Values whose readers changed since `takeTouched()` are reported by it, so
 * a pass can look at their producers again without rescanning the graph.
 */
export class ReaderIndex {
  private readonly readers = new Map<Value, Map<Node, number>>();
  private readonly counts = new Map<Value, number>();
  private touched = new Set<Value>();

  constructor(nodes: readonly Node[]) {
    for (const n of nodes) this.add(n);
    this.touched.clear();
  }

  add(node: Node): void {
    for (const v of nodeReads(node)) {
      let by = this.readers.get(v);
      if (!by) this.readers.set(v, (by = new Map()));
      by.set(node, (by.get(node) ?? 0) + 1);
      this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
      this.touched.add(v);
    }
  }

  remove(node: Node): void {
    for (const v of nodeReads(node)) {
      const by = this.readers.get(v);
      const n = by?.get(node);
      if (!by || !n) continue;
      if (n > 1) by.set(node, n - 1);
      else by.delete(node);
      this.counts.set(v, (this.counts.get(v) ?? 1) - 1);
      this.touched.add(v);
    }
  }

  /** Reads of `v`, a node reading it twice counted twice. */
  count(v: Value): number {
    return this.counts.get(v) ?? 0;
  }

  /** The one node that reads `v` once, or null. */
  soleReader(v: Value): Node | null {
    if (this.count(v) !== 1) return null;
    return this.readers.get(v)!.keys().next().value ?? null;
  }

  readersOf(v: Value): Node[] {
    return [...(this.readers.get(v)?.keys() ?? [])];
  }

  takeTouched(): Value[] {
    const out = [...this.touched];
    this.touched = new Set();
    return out;
  }
}
