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

  run(graph: Graph): PassResult {
    this.requires(graph);
    const result = this.call(graph);
    this.ensures(result.graph);
    return result;
  }
}

export class PassError extends Error {
  override name = "PassError";
}
