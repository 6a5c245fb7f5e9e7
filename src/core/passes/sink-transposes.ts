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
 * Rewrites follow a worklist of Transposes, with who reads what kept current as nodes are rewired
 * (ReaderIndex), and removals and insertions applied to the node list once at the end: the cost
 * grows with the graph, not with the graph times the number of rewrites.
 * Subgraphs (If branches, Loop and Scan bodies) are left alone: the pass's names are unique
 * only within the graph it rewrites, and a Transpose read inside a body counts as read by the
 * If/Loop/Scan node, which is no elementwise op, so nothing moves across a body's boundary.
 */
import { BuilderError, NameTable } from "../ir/builder";
import { Node, Value, type Graph, type TensorType } from "../ir/ir";
import { transposeBytes } from "./fold-initializer-layout";
import { dtypeByteSize } from "../ir/dtype";
import { inversePerm, isIdentityPerm, permute } from "../ir/perm";
import { ReaderIndex } from "../ir/walk";
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

const isTranspose = (n: Node): boolean => n.op === "Transpose" && n.domain === "";

/** How an input of the rewritten op is replaced; planned for every input before anything changes. */
type InputPlan =
  | { readonly kind: "value"; readonly value: Value | null }
  | { readonly kind: "permute"; readonly value: Value; readonly type: TensorType; readonly bytes: Uint8Array; readonly inPlace: boolean };

/** One pass run's state: the graph, who reads what, and the node-list edits applied at the end. */
class Rewriter {
  readonly readers: ReaderIndex;
  readonly names = new NameTable();
  readonly outputs: Set<Value>;
  private readonly removed = new Set<Node>();
  /** Nodes to place right after a node, nearest first. */
  private readonly after = new Map<Node, Node[]>();

  constructor(readonly graph: Graph) {
    for (const v of [...graph.inputs, ...graph.initializers, ...graph.nodes.flatMap((n) => n.outputs)]) this.names.reserve(v.name);
    for (const n of graph.nodes) this.names.reserve(n.name);
    this.readers = new ReaderIndex(graph.nodes);
    this.outputs = new Set(graph.outputs);
  }

  isRemoved(n: Node): boolean {
    return this.removed.has(n);
  }

  remove(n: Node): void {
    this.readers.remove(n);
    this.removed.add(n);
  }

  /** Changes a node's inputs (or op and attributes) with the reader index kept current. */
  rewire(n: Node, change: () => void): void {
    this.readers.remove(n);
    change();
    this.readers.add(n);
  }

  insertAfter(anchor: Node, n: Node): void {
    this.after.set(anchor, [n, ...(this.after.get(anchor) ?? [])]);
    this.readers.add(n);
  }

  /** Every read of `from` (none is a graph output) now reads `to`. */
  replaceReads(from: Value, to: Value): void {
    for (const r of this.readers.readersOf(from)) {
      this.rewire(r, () => {
        r.inputs = r.inputs.map((v) => (v === from ? to : v));
        for (const a of Object.values(r.attrs)) if (a.type === "graph") replaceInSubgraph(a.value, from, to);
      });
    }
  }

  /** The node list with removals and insertions applied, in topological order. */
  finish(): void {
    const nodes: Node[] = [];
    const emit = (n: Node): void => {
      if (!this.removed.has(n)) nodes.push(n);
      for (const a of this.after.get(n) ?? []) emit(a);
    };
    for (const n of this.graph.nodes) emit(n);
    this.graph.nodes = nodes;
  }
}

function replaceInSubgraph(graph: Graph, from: Value, to: Value): void {
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((v) => (v === from ? to : v));
    for (const a of Object.values(node.attrs)) if (a.type === "graph") replaceInSubgraph(a.value, from, to);
  }
  graph.outputs.forEach((v, i) => {
    if (v === from) graph.outputs[i] = to;
  });
}

export class SinkTransposes extends GraphPass {
  readonly name = "sink-transposes";

  protected call(graph: Graph): PassResult {
    const rw = new Rewriter(graph);
    let modified = false;
    // Transposes in graph order; each is sunk as far as it goes before the next one (`pending`
    // holds what a rewrite made or changed, last first), which is the order of rescanning from
    // the top after every rewrite, without the rescans.
    const position = new Map(graph.nodes.map((n, i) => [n, i]));
    const queue = graph.nodes.filter(isTranspose);
    const pending: Node[] = [];
    for (let next = 0; pending.length || next < queue.length; ) {
      const t = pending.length ? pending.pop()! : queue[next++];
      if (rw.isRemoved(t) || !isTranspose(t) || !t.inputs[0]) continue;
      const out = t.outputs[0];
      const user = rw.readers.soleReader(out);
      if (rw.outputs.has(out) || !user || user.domain !== "") continue;
      const made = this.rewrite(rw, t, user);
      if (!made) continue;
      modified = true;
      pending.push(...made);
      // Transposes whose readers changed may move now (a bypassed one may have one reader
      // left): they come before the rewritten op, so they go first, earliest on top.
      const touched = rw.readers.takeTouched().flatMap((v) => (v.producer && isTranspose(v.producer) && !made.includes(v.producer) ? [v.producer] : []));
      touched.sort((a, b) => (position.get(b) ?? -1) - (position.get(a) ?? -1));
      pending.push(...touched);
    }
    rw.finish();
    return { graph, modified };
  }

  /** Rewrites Transpose `t` into its sole reader `user`; returns the Transposes it made or changed, or null. */
  private rewrite(rw: Rewriter, t: Node, user: Node): Node[] | null {
    const p = permOf(t);
    const source = t.inputs[0] as Value;
    if (user.op === "Transpose") {
      // Case 1
      const q = permOf(user);
      const composed = q.map((i) => p[i]);
      rw.remove(t);
      if (isIdentityPerm(composed) && !rw.outputs.has(user.outputs[0])) {
        rw.replaceReads(user.outputs[0], source);
        rw.remove(user);
        return [];
      }
      if (isIdentityPerm(composed)) {
        rw.rewire(user, () => {
          user.op = "Identity";
          user.inputs = [source];
          user.attrs = {};
        });
        return [];
      }
      rw.rewire(user, () => {
        user.inputs = [source];
        user.attrs = { ...user.attrs, perm: { type: "ints", value: composed } };
      });
      return [user];
    }
    const isUnary = UNARY.has(user.op) && user.inputs.filter((v) => v !== null).length === 1;
    if (!isUnary && !NARY.has(user.op)) return null;
    if (user.outputs.length !== 1) return null;
    const rank = p.length;
    const inv = inversePerm(p);
    const plans: InputPlan[] = [];
    for (const v of user.inputs) {
      if (v === t.outputs[0]) plans.push({ kind: "value", value: source });
      else if (v === null) plans.push({ kind: "value", value: null });
      else {
        const plan = this.untransposed(v, rank, p, inv, rw.readers.count(v) === 1);
        if (!plan) return null;
        plans.push(plan);
      }
    }
    if (isUnary && (plans[0].kind !== "value" || plans[0].value !== source)) return null;
    // Case 2 / 3: the op reads the untransposed inputs; a Transpose restores its old output.
    // Only now, with every input known to move, are constants permuted.
    const inputs = plans.map((plan) => (plan.kind === "value" ? plan.value : this.permuted(rw, plan)));
    const result = user.outputs[0];
    const inner = new Value(rw.names.unique(`${result.name}_untransposed`), { dtype: result.type.dtype, shape: permute(result.type.shape, inv) });
    rw.rewire(user, () => {
      user.inputs = inputs;
      user.outputs = [inner];
    });
    inner.producer = user;
    const after = new Node(rw.names.unique(`${t.name}_sunk`), "Transpose", [inner], [result], { perm: { type: "ints", value: p } }, "", t.metadata);
    rw.insertAfter(user, after);
    rw.remove(t);
    return [after];
  }

  /** How `v` must be replaced so that Transpose(p) of it broadcasts like `v` did, or null. */
  private untransposed(v: Value, rank: number, p: number[], inv: number[], soleReader: boolean): InputPlan | null {
    const shape = v.type.shape;
    if (shape.length <= rank && shape.every((d) => d === 1)) return { kind: "value", value: v };
    const producer = v.producer;
    if (producer && isTranspose(producer) && permOf(producer).join() === p.join()) {
      return { kind: "value", value: producer.inputs[0] };
    }
    const tensor = v.tensor;
    if (!tensor || tensor.data.kind !== "bytes" || shape.length > rank) return null;
    const full = [...new Array<number>(rank - tensor.shape.length).fill(1), ...tensor.shape];
    const bytes = transposeBytes(tensor.data.bytes, full, inv, dtypeByteSize(tensor.dtype));
    return { kind: "permute", value: v, type: { dtype: tensor.dtype, shape: permute(full, inv) }, bytes, inPlace: soleReader };
  }

  private permuted(rw: Rewriter, plan: InputPlan & { kind: "permute" }): Value {
    const { value: v, type, bytes } = plan;
    // A constant only this op reads is permuted in place and keeps its name (linear1.bias).
    const moved = plan.inPlace ? v : new Value(rw.names.unique(`${v.name}_transposed`), type);
    moved.type = type;
    moved.tensor = { dtype: type.dtype, shape: type.shape as number[], data: { kind: "bytes", bytes } };
    if (!plan.inPlace) rw.graph.initializers.push(moved);
    return moved;
  }
}
