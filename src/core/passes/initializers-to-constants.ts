/**
 * Turns a function body's initializers into Constant nodes: ONNX functions cannot hold
 * initializers (FunctionProto has no such field), but the passes work on initializers, so a body
 * keeps its constants as initializers until this last step.
 *  1. Each initializer whose bytes the converter holds becomes a Constant node (value = the
 *     tensor), placed before every other node, with the initializer's name as its output.
 * Weights the host holds cannot be attributes: those must have been made function inputs
 * (src/core/lower/lower.ts, callFunction), and one left here is an error.
 */
import { Node, Value, attr, type Graph } from "../ir/ir";
import { GraphPass, PassError, type PassResult } from "./pass";

export class InitializersToConstants extends GraphPass {
  readonly name = "initializers-to-constants";

  protected call(graph: Graph): PassResult {
    const constants: Node[] = [];
    for (const v of graph.initializers) {
      const t = v.tensor;
      if (!t || t.data.kind !== "bytes") throw new PassError(`${graph.name}: initializer ${v.name} holds host bytes and cannot become a Constant`);
      // Case 1: the value keeps its name and readers; only its producer changes.
      const out = new Value(v.name, v.type);
      constants.push(new Node(`${v.name}_Constant`, "Constant", [], [out], { value: attr.tensor(t) }));
      for (const n of graph.nodes) n.inputs = n.inputs.map((x) => (x === v ? out : x));
      graph.outputs.forEach((x, i) => {
        if (x === v) graph.outputs[i] = out;
      });
    }
    const modified = constants.length > 0;
    graph.nodes = [...constants, ...graph.nodes];
    graph.initializers = [];
    return { graph, modified };
  }

  protected ensures(graph: Graph): void {
    if (graph.initializers.length) throw new PassError(`${graph.name}: initializers left in a function body`);
  }
}
