/**
 * The pass contract (after onnx-ir's passes): `requires` checks what the pass assumes, `call`
 * rewrites and says whether anything changed, `ensures` checks what it promises.
 */
import type { Graph } from "../ir/ir";

export interface PassResult {
  readonly graph: Graph;
  readonly modified: boolean;
}

export abstract class GraphPass {
  abstract readonly name: string;
  protected requires(_graph: Graph): void {}
  protected abstract call(graph: Graph): PassResult;
  protected ensures(_graph: Graph): void {}

  /** Whether this pass's last run changed the graph (false before it runs). */
  lastModified = false;

  run(graph: Graph): PassResult {
    this.requires(graph);
    const result = this.call(graph);
    this.ensures(result.graph);
    this.lastModified = result.modified;
    return result;
  }
}

/**
 * Passes that can only find work when one of `after` changed the graph on its last run: after a
 * pass sequence reached its fixpoint, running it again on an unchanged graph changes nothing.
 */
export class RunIfChanged extends GraphPass {
  readonly name: string;

  constructor(
    private readonly after: readonly GraphPass[],
    readonly passes: readonly GraphPass[],
  ) {
    super();
    // "fuse-patterns again": the first pass names the group (the rest clean up after it).
    this.name = `${passes[0]?.name ?? "nothing"} again`;
  }

  protected call(graph: Graph): PassResult {
    let modified = false;
    if (this.after.some((p) => p.lastModified)) for (const p of this.passes) modified = p.run(graph).modified || modified;
    return { graph, modified };
  }
}

export class PassError extends Error {
  override name = "PassError";
}
