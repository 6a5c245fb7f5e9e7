/**
 * Applies the fusion rules (src/core/fusion/rules.ts): a node whose output matches a rule's
 * pattern becomes the fused op on the pattern's inputs; the matched intermediates are left for
 * dead-code elimination (and stay if something else reads them). The fused node keeps the root
 * node's scope and source, is named after its new op, and records the rule as its primitive.
 * Subgraphs (If branches, Loop and Scan bodies) are fused the same way, recursively; a pattern
 * may match across the boundary (the fused node then reads an outer value, as ONNX allows).
 */
import { NameTable } from "../ir/builder";
import type { Graph } from "../ir/ir";
import { FUSION_RULES, type FusionRule } from "../fusion/rules";
import { match } from "../fusion/pattern";
import { hasKernel } from "../lower/kernel-gaps";
import { GraphPass, type PassResult } from "./pass";

export class FusePatterns extends GraphPass {
  readonly name = "fuse-patterns";
  private readonly rules: readonly FusionRule[];

  constructor(opset: number, rules: readonly FusionRule[] = FUSION_RULES) {
    super();
    this.rules = rules.filter((r) => opset >= r.minOpset);
  }

  protected call(graph: Graph): PassResult {
    let modified = false;
    const names = new NameTable();
    for (const n of graph.nodes) names.reserve(n.name);
    for (const node of graph.nodes) {
      for (const a of Object.values(node.attrs)) if (a.type === "graph") modified = this.call(a.value).modified || modified;
      if (node.outputs.length !== 1) continue;
      for (const rule of this.rules) {
        const bindings = match(rule.pattern, node.outputs[0]);
        if (!bindings || (rule.check && !rule.check(bindings))) continue;
        const fused = rule.rewrite(bindings);
        // A fused op onnxruntime cannot run at this dtype (Gelu in float64) would break the model.
        if (fused.inputs[0] && !hasKernel(fused.op, fused.inputs[0].type.dtype)) continue;
        // The name says what the node is now: ".../Div" fused into an AveragePool is ".../AveragePool".
        const scope = node.name.includes("/") ? node.name.slice(0, node.name.lastIndexOf("/") + 1) : "";
        node.name = fused.op === node.op ? node.name : names.unique(`${scope}${fused.op}`);
        node.op = fused.op;
        node.inputs = fused.inputs;
        node.attrs = fused.attrs;
        node.metadata = { ...node.metadata, primitive: `${node.metadata.primitive ?? ""} (fused: ${rule.name})`.trim() };
        modified = true;
        break;
      }
    }
    return { graph, modified };
  }
}
