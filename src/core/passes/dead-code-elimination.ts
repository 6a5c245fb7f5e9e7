/**
 * Removes what no graph output depends on.
 *  1. Nodes none of whose outputs are read (transitively) by a graph output.
 *  2. Initializers no remaining node reads.
 * Graph inputs stay: they are the model's signature even when unused.
 */
import type { Graph, Value } from "../ir/ir";
import { nodeReads } from "../ir/walk";
import { GraphPass, type PassResult } from "./pass";

export class DeadCodeElimination extends GraphPass {
  readonly name = "dead-code-elimination";

  protected call(graph: Graph): PassResult {
    const live = new Set<Value>(graph.outputs);
    const kept = [];
    // Case 1: walk backwards so a node is decided after everything that reads it.
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const node = graph.nodes[i];
      if (!node.outputs.some((v) => live.has(v))) continue;
      kept.push(node);
      for (const v of nodeReads(node)) live.add(v);
    }
    kept.reverse();
    // Case 2
    const initializers = graph.initializers.filter((v) => live.has(v));
    const modified = kept.length !== graph.nodes.length || initializers.length !== graph.initializers.length;
    graph.nodes = kept;
    graph.initializers = initializers;
    return { graph, modified };
  }
}
