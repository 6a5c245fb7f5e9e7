/** Graph walks that account for subgraphs (If/Loop bodies read outer values by reference). */
import type { Graph, Node, Value } from "./ir";

/** Values a node reads, including outer values read inside its subgraphs. */
export function nodeReads(node: Node): Value[] {
  const reads = node.inputs.filter((v): v is Value => v !== null);
  for (const a of Object.values(node.attrs)) {
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
