/**
 * Moves Transposes down through elementwise ops until they meet their inverse and cancel.
 * Convolutions and pools run in ONNX's NCHW while JAX models are NHWC, so each such op is
 * lowered as Transpose(to NCHW) -> op -> Transpose(to NHWC); between two of them there are
 * usually only elementwise ops (bias add, relu, scaling), and the pair cancels. The graph keeps
 * JAX's layout at its inputs and outputs.
 *  1. Transpose(p) then Transpose(q): one Transpose(p then q), or nothing when that is identity.
 *  2. Transpose(p) then a unary elementwise op: the op first, then Transpose(p).
 *  3. Transpose(p) then an elementwise op with several inputs, where every other input is
 *     broadcast-neutral (all dims 1), a constant the converter holds (permuted here), or a
 *     Transpose(p) itself: the op first on untransposed inputs, then Transpose(p).
 * Only a Transpose with a single reader moves (otherwise it would be duplicated); bypassed
 * Transposes of other inputs are left for dead-code elimination.
 * Subgraphs (If branches, Loop and Scan bodies) are left alone: the pass's names are unique
 * only within the graph it rewrites, and a Transpose read inside a body counts as read by the
 * If/Loop/Scan node, which is no elementwise op, so nothing moves across a body's boundary.
 */
import { BuilderError, NameTable } from "../ir/builder";
import { Node, Value, type Graph, type TensorType } from "../ir/ir";
import { transposeBytes } from "./fold-initializer-layout";
import { dtypeByteSize } from "../ir/dtype";
import { inversePerm, isIdentityPerm, permute } from "../ir/perm";
import { nodeReads, replaceAllUses } from "../ir/walk";
import { GraphPass, type PassResult } from "./pass";

const UNARY = new Set([
  "Relu", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Tanh", "Sigmoid", "Erf", "Sin", "Cos",
  "Floor", "Ceil", "Round", "Sign", "Not", "Cast", "Identity", "LeakyRelu", "Elu", "Selu",
  "Softplus", "Gelu", "HardSigmoid", "IsNaN", "IsInf", "Mish", "HardSwish", "Softsign",
]);
const NARY = new Set([
  "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mod", "Equal", "Less", "Greater",
  "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where", "BitwiseAnd", "BitwiseOr", "BitwiseXor",
]);

const permOf = (t: Node): number[] => {
  const p = t.attrs.perm;
  if (p?.type !== "ints") throw new BuilderError(`${t.name}: Transpose without perm`);
  return [...p.value];
};

export class SinkTransposes extends GraphPass {
  readonly name = "sink-transposes";

  protected call(graph: Graph): PassResult {
    const names = new NameTable();
    for (const v of [...graph.inputs, ...graph.initializers, ...graph.nodes.flatMap((n) => n.outputs)]) names.reserve(v.name);
    for (const n of graph.nodes) names.reserve(n.name);
    let modified = false;
    for (let changed = true; changed; ) {
      changed = false;
      const readers = new Map<Value, Node[]>();
      for (const n of graph.nodes) for (const v of nodeReads(n)) readers.set(v, [...(readers.get(v) ?? []), n]);
      const outputs = new Set(graph.outputs);
      for (const t of graph.nodes) {
        if (t.op !== "Transpose" || t.domain !== "" || !t.inputs[0]) continue;
        const out = t.outputs[0];
        const users = readers.get(out) ?? [];
        if (outputs.has(out) || users.length !== 1 || users[0].domain !== "") continue;
        if (this.rewrite(graph, t, users[0], names, readers)) {
          changed = modified = true;
          break;
        }
      }
    }
    return { graph, modified };
  }

  private rewrite(graph: Graph, t: Node, user: Node, names: NameTable, readers: ReadonlyMap<Value, Node[]>): boolean {
    const p = permOf(t);
    const source = t.inputs[0] as Value;
    if (user.op === "Transpose") {
      // Case 1
      const q = permOf(user);
      const composed = q.map((i) => p[i]);
      remove(graph, t);
      if (isIdentityPerm(composed) && !graph.outputs.includes(user.outputs[0])) {
        replaceAllUses(graph, user.outputs[0], source);
        remove(graph, user);
      } else if (isIdentityPerm(composed)) {
        user.op = "Identity";
        user.inputs = [source];
        user.attrs = {};
      } else {
        user.inputs = [source];
        user.attrs = { ...user.attrs, perm: { type: "ints", value: composed } };
      }
      return true;
    }
    const isUnary = UNARY.has(user.op) && user.inputs.filter((v) => v !== null).length === 1;
    if (!isUnary && !NARY.has(user.op)) return false;
    if (user.outputs.length !== 1) return false;
    const rank = p.length;
    const inv = inversePerm(p);
    const others = user.inputs.filter((v): v is Value => v !== null && v !== t.outputs[0]);
    if (isUnary && others.length) return false;
    // Every other input must be movable before any is moved: a constant is permuted in place.
    if (!others.every((v) => this.untransposable(v, rank, p))) return false;
    const inputs = user.inputs.map((v) => (v === t.outputs[0] ? source : v === null ? null : this.untransposed(graph, v, rank, p, inv, names, (readers.get(v) ?? []).length === 1)));
    // Case 2 / 3: the op reads the untransposed inputs; a Transpose restores its old output.
    const result = user.outputs[0];
    const inner = new Value(names.unique(`${result.name}_untransposed`), { dtype: result.type.dtype, shape: permute(result.type.shape, inv) });
    inner.producer = user;
    user.inputs = inputs;
    user.outputs = [inner];
    const after = new Node(names.unique(`${t.name}_sunk`), "Transpose", [inner], [result], { perm: { type: "ints", value: p } }, "", t.metadata);
    graph.nodes.splice(graph.nodes.indexOf(user) + 1, 0, after);
    remove(graph, t);
    return true;
  }

  /** Whether `v` is broadcast-neutral, a Transpose(p) or a constant the converter holds (Case 3). */
  private untransposable(v: Value, rank: number, p: number[]): boolean {
    const shape = v.type.shape;
    if (shape.length <= rank && shape.every((d) => d === 1)) return true;
    const producer = v.producer;
    if (producer && producer.op === "Transpose" && producer.domain === "" && permOf(producer).join() === p.join()) return true;
    return v.tensor?.data.kind === "bytes" && shape.length <= rank;
  }

  /** The value `v` (untransposable) must be replaced by so that Transpose(p) of it broadcasts like `v` did. */
  private untransposed(graph: Graph, v: Value, rank: number, p: number[], inv: number[], names: NameTable, soleReader: boolean): Value {
    const shape = v.type.shape;
    if (shape.length <= rank && shape.every((d) => d === 1)) return v;
    const producer = v.producer;
    if (producer && producer.op === "Transpose" && producer.domain === "" && permOf(producer).join() === p.join()) {
      return producer.inputs[0] as Value;
    }
    const tensor = v.tensor;
    if (!tensor || tensor.data.kind !== "bytes") throw new BuilderError(`internal: ${v.name} is not untransposable`);
    const full = [...new Array<number>(rank - tensor.shape.length).fill(1), ...tensor.shape];
    const bytes = transposeBytes(tensor.data.bytes, full, inv, dtypeByteSize(tensor.dtype));
    const type: TensorType = { dtype: tensor.dtype, shape: permute(full, inv) };
    // A constant only this op reads is permuted in place and keeps its name (linear1.bias).
    const moved = soleReader ? v : new Value(names.unique(`${v.name}_transposed`), type);
    moved.type = type;
    moved.tensor = { dtype: tensor.dtype, shape: permute(full, inv), data: { kind: "bytes", bytes } };
    if (!soleReader) graph.initializers.push(moved);
    return moved;
  }
}

function remove(graph: Graph, node: Node): void {
  graph.nodes = graph.nodes.filter((n) => n !== node);
}
