/** Test helper for fusion rules: run the fusion passes on a hand-built graph as convert does. */
import type { GraphBuilder } from "../ir/builder";
import { DeadCodeElimination } from "../passes/dead-code-elimination";
import { FoldConstants } from "../passes/fold-constants";
import { FusePatterns, type Rejection } from "../passes/fuse-patterns";
import { RemoveIdentities } from "../passes/remove-identities";

export function fuse(b: GraphBuilder, opset = 21): { ops: string[]; rejections: Rejection[] } {
  const pass = new FusePatterns(opset);
  pass.run(b.graph);
  // The pass promises a fixpoint in one run: a second finds nothing (every fusion test checks it).
  const again = new FusePatterns(opset).run(b.graph);
  if (again.modified) throw new Error(`fuse-patterns left a fusion for a second run: ${b.graph.nodes.map((n) => n.op).join(", ")}`);
  new RemoveIdentities().run(b.graph);
  new DeadCodeElimination().run(b.graph);
  new FoldConstants().run(b.graph);
  new DeadCodeElimination().run(b.graph);
  return { ops: b.graph.nodes.map((n) => n.op), rejections: pass.rejections };
}
