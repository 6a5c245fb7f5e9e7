/**
 * Applies the fusion rules (src/core/fusion/rules.ts): a node whose output matches a rule's
 * pattern (and passes its check) becomes the fused op on the rule's inputs; helper nodes the
 * rewrite asks for go right before it; the matched intermediates are left for dead-code
 * elimination (and stay if something else reads them). The fused node keeps the root node's
 * scope and source, is named after its new op, and records the rule as its primitive. Rules run
 * to a fixpoint, so one fusion's result can be the next one's input (Gemm, then a BatchNorm
 * scale folded into it). Rejections are kept with their reasons (`rejections`) for tests and
 * for anyone asking why a graph was not fused. Subgraphs (If branches, Loop and Scan bodies) are
 * fused the same way, first; a pattern may match across the boundary (the fused node then reads
 * an outer value, as ONNX allows), but an outer value counts as read elsewhere, so nothing that
 * needs a sole reader (weight folds) crosses it.
 */
import { encodeScalars, type DType } from "../ir/dtype";
import { NameTable } from "../ir/builder";
import { Node, Value, type Attr, type Graph, type TensorType } from "../ir/ir";
import { nodeReads } from "../ir/walk";
import { FUSION_RULES, type FusionRule } from "../fusion/rules";
import { match } from "../fusion/pattern";
import { hasFusedKernels, type FusionContext } from "../fusion/rule";
import { hasKernel } from "../lower/kernel-gaps";
import { GraphPass, type PassResult } from "./pass";

/** A pattern that matched but whose check said no. */
export interface Rejection {
  readonly rule: string;
  readonly node: string;
  readonly reason: string;
}

/** Enough for any chain of fusions on one node; a rule set that loops is a bug. */
const MAX_ROUNDS = 10_000;

export class FusePatterns extends GraphPass {
  readonly name = "fuse-patterns";
  private readonly rules: readonly FusionRule[];
  readonly rejections: Rejection[] = [];

  constructor(
    private readonly opset: number,
    rules: readonly FusionRule[] = FUSION_RULES,
  ) {
    super();
    this.rules = rules.filter((r) => opset >= r.minOpset);
  }

  protected call(graph: Graph): PassResult {
    // Names are unique across a graph and its subgraphs (ONNX forbids shadowing).
    const names = new NameTable();
    const taken = new Set<string>();
    const collect = (g: Graph): void => {
      for (const v of [...g.inputs, ...g.initializers, ...g.nodes.flatMap((n) => n.outputs)]) taken.add(v.name);
      for (const n of g.nodes) {
        taken.add(n.name);
        for (const a of Object.values(n.attrs)) if (a.type === "graph") collect(a.value);
      }
    };
    collect(graph);
    for (const name of taken) names.reserve(name);
    return { graph, modified: this.fuseGraph(graph, names) };
  }

  private fuseGraph(graph: Graph, names: NameTable): boolean {
    let modified = false;
    for (const node of graph.nodes) for (const a of Object.values(node.attrs)) if (a.type === "graph") modified = this.fuseGraph(a.value, names) || modified;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!this.fuseOne(graph, names)) return modified;
      modified = true;
    }
    throw new Error(`fuse-patterns: no fixpoint after ${MAX_ROUNDS} rewrites (rules that undo each other?)`);
  }

  /** Finds the first node some rule rewrites and rewrites it; false when there is none. */
  private fuseOne(graph: Graph, names: NameTable): boolean {
    // Readers among the live nodes only: a node a previous rewrite bypassed still reads its
    // inputs until dead-code elimination, and must not block the next fusion.
    const live = new Set<Value>(graph.outputs);
    const readers = new Map<Value, number>();
    for (const v of graph.outputs) readers.set(v, 1);
    // Values from an enclosing graph may have readers there: never a sole reader here.
    const local = new Set<Value>([...graph.inputs, ...graph.initializers, ...graph.nodes.flatMap((n) => n.outputs)]);
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const n = graph.nodes[i];
      if (!n.outputs.some((o) => live.has(o))) continue;
      for (const v of nodeReads(n)) {
        live.add(v);
        readers.set(v, (readers.get(v) ?? 0) + 1);
      }
    }
    // Last node first: the widest pattern is rooted at its last node (relu6's Min before its
    // Max, a BatchNorm's final Add before the Linear's bias Add), so it is seen before a
    // smaller pattern inside it is rewritten away.
    for (let index = graph.nodes.length - 1; index >= 0; index--) {
      const node = graph.nodes[index];
      if (node.outputs.length !== 1 || node.domain !== "" || !live.has(node.outputs[0])) continue;
      for (const rule of this.rules) {
        const bindings = match(rule.pattern, node.outputs[0]);
        if (!bindings) continue;
        const helpers: Node[] = [];
        const ctx = this.context(graph, node, names, readers, helpers, local);
        const verdict = !hasFusedKernels(node.outputs[0]) ? { reason: `no fused kernels for ${node.outputs[0].type.dtype} in onnxruntime` } : rule.check ? rule.check(bindings, ctx) : true;
        if (verdict !== true) {
          if (!this.rejections.some((r) => r.rule === rule.name && r.node === node.name && r.reason === verdict.reason)) {
            this.rejections.push({ rule: rule.name, node: node.name, reason: verdict.reason });
          }
          continue;
        }
        const fused = rule.rewrite(bindings, ctx);
        // A fused op onnxruntime cannot run at this dtype (Gelu in float64) would break the model;
        // the helpers are dropped (constants it made are left for dead-code elimination).
        const dtype = fused.inputs[0]?.type.dtype;
        if (dtype && !hasKernel(fused.op, dtype)) {
          this.rejections.push({ rule: rule.name, node: node.name, reason: `onnxruntime has no ${fused.op} kernel for ${dtype}` });
          continue;
        }
        graph.nodes.splice(index, 0, ...helpers);
        // The name says what the node is now: ".../Div" fused into an AveragePool is ".../AveragePool".
        const like = fused.like ?? node;
        const scope = like.name.includes("/") ? like.name.slice(0, like.name.lastIndexOf("/") + 1) : "";
        if (like !== node) {
          node.metadata = like.metadata;
          like.name = names.unique(`${like.name}_fused`);
        }
        node.name = fused.op === node.op && like === node ? node.name : names.unique(`${scope}${fused.op}`);
        node.op = fused.op;
        node.inputs = [...fused.inputs];
        node.attrs = { ...fused.attrs };
        const was = node.metadata.primitive ?? "";
        node.metadata = { ...node.metadata, primitive: was.includes("(fused: ") ? was.replace(/\)$/, `, ${rule.name})`) : `${was} (fused: ${rule.name})`.trim() };
        return true;
      }
    }
    return false;
  }

  private context(graph: Graph, root: Node, names: NameTable, readers: ReadonlyMap<Value, number>, helpers: Node[], local: ReadonlySet<Value>): FusionContext {
    const scope = root.name.includes("/") ? root.name.slice(0, root.name.lastIndexOf("/") + 1) : "";
    const takeName = (v: Value): string => {
      const old = v.name;
      v.name = names.unique(`${old}_unfolded`);
      return old;
    };
    return {
      opset: this.opset,
      root,
      readers: (v) => (local.has(v) ? (readers.get(v) ?? 0) : Number.POSITIVE_INFINITY),
      takeName,
      node: (op: string, inputs: readonly (Value | null)[], attrs: Readonly<Record<string, Attr>>, type: TensorType, outputName?: string) => {
        const name = names.unique(`${scope}${op}`);
        const out = new Value(outputName ?? names.unique(`${name}_output_0`), type);
        helpers.push(new Node(name, op, [...inputs], [out], { ...attrs }, "", root.metadata));
        return out;
      },
      constant: (values: readonly number[], dtype: DType, shape: readonly number[], replaces?: Value) => {
        const inherit = replaces?.tensor && local.has(replaces) && !replaces.producer && (readers.get(replaces) ?? 0) <= 1 && !graph.outputs.includes(replaces);
        const name = inherit ? takeName(replaces) : names.unique(`${scope.replace(/\//g, ".")}fused_const`);
        const v = new Value(name, { dtype, shape });
        v.tensor = { dtype, shape, data: { kind: "bytes", bytes: encodeScalars(values, dtype) } };
        graph.initializers.push(v);
        return v;
      },
    };
  }
}
