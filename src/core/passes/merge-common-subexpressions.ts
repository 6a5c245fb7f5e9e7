/**
 * Merges nodes that compute the same thing: same op, domain, attributes and inputs (JAX traces
 * `jnp.mean(x)` once for the caller and once inside `jnp.var`, Shape of one input per use, ...).
 *  1. A node equal to an earlier one: its outputs are replaced by the earlier node's.
 *  2. Equal integer and bool constants the converter holds (shapes, axes, indices, conditions;
 *     same dtype, shape and bytes, at most 1 KiB) are one. Float constants are left: they are
 *     usually the model's own weights, which keep their names even when two are equal (two
 *     zero-initialized biases).
 * Nodes with subgraphs, and the nodes inside subgraphs, are left alone (comparing bodies is not
 * worth it); graph outputs keep their own producer.
 */
import { isFloat } from "../ir/dtype";
import type { Attr, Graph, Node, Value } from "../ir/ir";
import { replaceAllUses } from "../ir/walk";
import { GraphPass, type PassResult } from "./pass";

const MAX_CONSTANT_BYTES = 1024;

function attrKey(a: Attr): string {
  if (a.type === "tensor") {
    const t = a.value;
    return t.data.kind === "bytes" ? `t:${t.dtype}[${t.shape.join(",")}]${t.data.bytes.join(",")}` : `host:${t.data.buffer}:${t.shape.join(",")}:${t.data.perm?.join(",") ?? ""}`;
  }
  return `${a.type}:${JSON.stringify(a.value)}`;
}

export class MergeCommonSubexpressions extends GraphPass {
  readonly name = "merge-common-subexpressions";

  protected call(graph: Graph): PassResult {
    let modified = false;
    const outputs = new Set(graph.outputs);
    // Case 2
    const constants = new Map<string, Value>();
    const keep: Value[] = [];
    for (const v of graph.initializers) {
      const t = v.tensor;
      if (!t || t.data.kind !== "bytes" || isFloat(t.dtype) || t.data.bytes.byteLength > MAX_CONSTANT_BYTES || outputs.has(v)) {
        keep.push(v);
        continue;
      }
      const key = `${t.dtype}|${t.shape.join(",")}|${t.data.bytes.join(",")}`;
      const same = constants.get(key);
      if (!same) {
        constants.set(key, v);
        keep.push(v);
        continue;
      }
      replaceAllUses(graph, v, same);
      modified = true;
    }
    graph.initializers = keep;
    // Case 1
    const seen = new Map<string, Node>();
    const ids = new Map<Value, number>();
    const id = (v: Value | null): string => {
      if (!v) return "-";
      if (!ids.has(v)) ids.set(v, ids.size);
      return String(ids.get(v));
    };
    const kept: Node[] = [];
    for (const node of graph.nodes) {
      const attrs = Object.values(node.attrs);
      if (attrs.some((a) => a.type === "graph") || node.outputs.some((o) => outputs.has(o))) {
        kept.push(node);
        continue;
      }
      const key = `${node.domain}::${node.op}(${node.inputs.map(id).join(",")})${Object.keys(node.attrs).sort().map((k) => `${k}=${attrKey(node.attrs[k])}`).join(";")}#${node.outputs.length}`;
      const earlier = seen.get(key);
      if (!earlier) {
        seen.set(key, node);
        kept.push(node);
        continue;
      }
      node.outputs.forEach((o, i) => replaceAllUses(graph, o, earlier.outputs[i]));
      modified = true;
    }
    graph.nodes = kept;
    return { graph, modified };
  }
}
