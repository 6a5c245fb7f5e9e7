/**
 * Re-derives every node's output types from the ONNX type rules after rewrites and checks them
 * against what the values carry (JAX's avals, which name symbolic dims). Ensures every value of
 * the graph has a dtype and a ranked shape, so value_info covers every intermediate.
 *  1. Rule and value agree: keep the value's type (it may name dims the rule leaves open).
 *  2. The value has an unknown dim the rule knows: take the rule's dim.
 *  3. They conflict (dtype, rank, two different static sizes): fail; a rewrite broke the graph.
 */
import { BuilderError } from "../ir/builder";
import { formatShape, type Dim } from "../ir/dims";
import { knownValues, type Graph, type TensorType } from "../ir/ir";
import { TYPE_RULES } from "../ops/type-rules";
import { GraphPass, PassError, type PassResult } from "./pass";

function merge(have: TensorType, inferred: TensorType, where: string): TensorType {
  const conflict = have.dtype !== inferred.dtype || have.shape.length !== inferred.shape.length || have.shape.some((d, i) => typeof d === "number" && typeof inferred.shape[i] === "number" && d !== inferred.shape[i]);
  if (conflict) {
    throw new PassError(`${where}: value has ${have.dtype}${formatShape(have.shape)}, the op's type rule gives ${inferred.dtype}${formatShape(inferred.shape)}`);
  }
  return { dtype: have.dtype, shape: have.shape.map((d, i): Dim => (d === null ? inferred.shape[i] : d)) };
}

export class InferTypes extends GraphPass {
  readonly name = "infer-types";

  protected call(graph: Graph): PassResult {
    let modified = false;
    for (const node of graph.nodes) {
      for (const a of Object.values(node.attrs)) if (a.type === "graph") modified = this.call(a.value).modified || modified;
      const rule = node.domain === "" ? TYPE_RULES.get(node.op) : undefined;
      if (!rule) continue;
      let inferred: TensorType[];
      try {
        inferred = rule({ op: node.op, inputs: node.inputs.map((v) => v?.type ?? null), attrs: node.attrs, constant: (i) => knownValues(node.inputs[i] ?? null) });
      } catch (e) {
        throw new PassError(`${node.name} (${node.op}): ${(e as Error).message}`);
      }
      node.outputs.forEach((v, i) => {
        if (!inferred[i]) return;
        const next = merge(v.type, inferred[i], `${node.name} (${node.op}) output ${i}`);
        if (next.shape.some((d, k) => d !== v.type.shape[k])) modified = true;
        v.type = next;
      });
    }
    return { graph, modified };
  }

  protected ensures(graph: Graph): void {
    for (const v of [...graph.inputs, ...graph.initializers, ...graph.nodes.flatMap((n) => n.outputs)]) {
      if (!v.type || !v.type.dtype || !Array.isArray(v.type.shape)) throw new BuilderError(`value ${v.name} has no type`);
    }
    // Subgraphs too: their value_info is what Netron shows inside a body.
    for (const node of graph.nodes) for (const a of Object.values(node.attrs)) if (a.type === "graph") this.ensures(a.value);
  }
}
