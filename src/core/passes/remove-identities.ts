/**
 * Removes nodes that return their input unchanged, reading the input instead:
 *  1. Identity (one not producing a graph output).
 *  2. Cast to the input's own dtype.
 *  3. Reshape, Expand, Squeeze, Unsqueeze whose output type equals the input's (all dims known:
 *     numbers, or symbolic dims of the same name).
 *  4. Where with a constant condition that is all true (or all false) and the chosen branch of
 *     the output's shape (jnp.var's `where(dof > 0, var, nan)` with a static dof).
 *  5. An Expand read by a broadcasting binary op (Add, Sub, Mul, Div, ...) whose other operand
 *     already has the op's output type: the op reads the Expand's input and broadcasts itself
 *     (`jnp.broadcast_to(bias, y.shape) + y`, Haiku's Linear), so a MatMul + bias becomes Gemm.
 *  6. Sub of a constant zero of the output's type: x - 0 is x exactly in IEEE arithmetic (-0 - 0
 *     is -0, NaN stays NaN); `x + 0` is not (-0 + 0 is +0). JAX's logaddexp(x, 0) (softplus).
 * Graph outputs keep their name (the model's interface):
 *  7. A pass-through producing a graph output from a value only it reads, made by a node of this
 *     graph (not a graph input or output): that node produces the graph output itself (a layout
 *     chain that folds to Identity right before the output, jax.nn.dot_product_attention's).
 * Nodes inside subgraphs are left alone (their reads of a removed outer value are redirected).
 */
import { knownValues, type Graph, type Node, type Value } from "../ir/ir";
import { nodeReads, replaceAllUses } from "../ir/walk";
import { GraphPass, type PassResult } from "./pass";

/** Same dtype and the same known dims (symbolic dims by name: "B" is "B"). */
const sameType = (a: Value, b: Value): boolean =>
  a.type.dtype === b.type.dtype && a.type.shape.length === b.type.shape.length && a.type.shape.every((d, i) => d !== null && d === b.type.shape[i]);

function passThrough(n: Node): Value | null {
  if (n.domain !== "" || n.outputs.length !== 1) return null;
  const [x] = n.inputs;
  const out = n.outputs[0];
  if (!x) return null;
  switch (n.op) {
    case "Identity": return x; // Case 1
    case "Cast": return x.type.dtype === out.type.dtype ? x : null; // Case 2
    case "Reshape":
    case "Expand":
    case "Squeeze":
    case "Unsqueeze": return sameType(x, out) ? x : null; // Case 3
    case "Where": {
      // Case 4
      const cond = knownValues(x);
      if (!cond || !cond.length) return null;
      const branch = cond.every((c) => c !== 0) ? n.inputs[1] : cond.every((c) => c === 0) ? n.inputs[2] : null;
      return branch && sameType(branch, out) ? branch : null;
    }
    case "Sub": {
      // Case 6
      const k = n.inputs[1] ? knownValues(n.inputs[1]) : null;
      return k?.length === 1 && Object.is(k[0], 0) && sameType(x, out) ? x : null; // not -0: x - (-0) is x + 0
    }
    default: return null;
  }
}

const BROADCASTING = new Set(["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or"]);

/** Case 5: a binary op's Expand-ed operand replaced by the Expand's input, where that is exact. */
function skipExpands(n: Node): boolean {
  if (n.domain !== "" || !BROADCASTING.has(n.op) || n.inputs.length !== 2 || n.outputs.length !== 1) return false;
  let changed = false;
  n.inputs = n.inputs.map((x, i) => {
    const e = x?.producer;
    const other = n.inputs[1 - i];
    if (!e || e.op !== "Expand" || e.domain !== "" || !e.inputs[0] || !other) return x;
    const source = e.inputs[0];
    const out = n.outputs[0].type.shape;
    if (other.type.shape.length !== out.length || !other.type.shape.every((d, k) => d !== null && d === out[k])) return x;
    if (source.type.shape.length > n.outputs[0].type.shape.length) return x;
    changed = true;
    return source;
  });
  return changed;
}

export class RemoveIdentities extends GraphPass {
  readonly name = "remove-identities";

  protected call(graph: Graph): PassResult {
    const outputs = new Set(graph.outputs);
    let modified = false;
    for (const n of graph.nodes) modified = skipExpands(n) || modified;
    // Reads by live nodes only: a fusion pass leaves the nodes it bypassed for dead-code elimination.
    const readers = new Map<Value, number>();
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const n = graph.nodes[i];
      if (n.outputs.some((o) => outputs.has(o) || readers.has(o))) for (const v of nodeReads(n)) readers.set(v, (readers.get(v) ?? 0) + 1);
    }
    const kept: Node[] = [];
    for (const n of graph.nodes) {
      if (outputs.has(n.outputs[0])) {
        // Case 7
        const source = passThrough(n);
        const p = source?.producer;
        if (source && p && !outputs.has(source) && readers.get(source) === 1 && sameType(source, n.outputs[0]) && kept.includes(p)) {
          p.outputs = p.outputs.map((o) => (o === source ? n.outputs[0] : o));
          n.outputs[0].producer = p;
          modified = true;
          continue;
        }
      }
      const source = outputs.has(n.outputs[0]) ? null : passThrough(n);
      if (!source) {
        kept.push(n);
        continue;
      }
      replaceAllUses(graph, n.outputs[0], source);
      modified = true;
    }
    graph.nodes = kept;
    return { graph, modified };
  }
}
