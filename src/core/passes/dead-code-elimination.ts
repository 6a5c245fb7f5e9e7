/**
 * Removes what no graph output depends on.
 *  1. Nodes none of whose outputs are read (transitively) by a graph output.
 *  2. Initializers no remaining node reads.
 *  3. Inside subgraphs (If branches, Loop and Scan bodies), cases 1 and 2 with the subgraph's
 *     outputs as roots, first, so that what a body no longer reads from the enclosing graph
 *     dies there too. A subgraph's inputs and outputs stay: the op's signature fixes them.
 * Graph inputs stay: they are the model's signature even when unused.
 */
import type { Graph, Value } from "../ir/ir";
import { nodeReads } from "../ir/walk";
import { GraphPass, type PassResult } from "./pass";

export class DeadCodeElimination extends GraphPass {
  readonly name = "dead-code-elimination";

  protected call(graph: Graph): PassResult {
    let modified = false;
    // Case 3
    for (const node of graph.nodes) {
      for (const a of Object.values(node.attrs)) if (a.type === "graph") modified = this.call(a.value).modified || modified;
    }
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
    modified = modified || kept.length !== graph.nodes.length || initializers.length !== graph.initializers.length;
    graph.nodes = kept;
    graph.initializers = initializers;
    return { graph, modified };
  }
}
