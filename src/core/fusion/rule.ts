/**
 * A fusion rule, in onnxscript's rewriter style: a `pattern` (src/core/fusion/pattern.ts), a
 * `check` for what a pattern cannot say that rejects with a reason a human can read, and a
 * `rewrite` that names the fused op. The root node (the pattern's output) becomes the fused op;
 * a rewrite may add helper nodes before it (a weight times a scale, which constant folding or
 * onnxruntime at load folds away) through the context.
 */
import type { DType } from "../ir/dtype";
import type { Attr, Node, TensorType, Value } from "../ir/ir";
import type { Bindings, Pattern } from "./pattern";

/** `true`, or why the rule does not apply here. */
export type CheckResult = true | { readonly reason: string };

export const reject = (reason: string): CheckResult => ({ reason });

export interface FusionContext {
  readonly opset: number;
  /** The node the pattern matched at (its output is the pattern's root). */
  readonly root: Node;
  /** How many nodes (or graph outputs) read `v`. */
  readers(v: Value): number;
  /** A helper node before the root; returns its output (named `outputName` when given). */
  node(op: string, inputs: readonly (Value | null)[], attrs: Readonly<Record<string, Attr>>, type: TensorType, outputName?: string): Value;
  /**
   * Renames `v` (to `<name>_unfolded`) and returns its old name, for a value that replaces it:
   * a BatchNorm-scaled weight keeps the weight's module-path name (`linear1.kernel`).
   */
  takeName(v: Value): string;
  /**
   * A new constant initializer. With `replaces` (a constant this rewrite makes dead, such as a
   * bias the BatchNorm shift is added to), it takes that constant's module-path name.
   */
  constant(values: readonly number[], dtype: DType, shape: readonly number[], replaces?: Value): Value;
}

export interface FusedNode {
  readonly op: string;
  readonly inputs: readonly (Value | null)[];
  readonly attrs: Readonly<Record<string, Attr>>;
  /**
   * The matched node the fused one stands for, when that is not the root: a Linear's Gemm that
   * absorbed a BatchNorm keeps the Linear's scope (`MLP/linear1/Gemm`) and source.
   */
  readonly like?: Node;
}

export interface FusionRule {
  readonly name: string;
  /** The lowest default-domain opset that has the fused op. */
  readonly minOpset: number;
  readonly pattern: Pattern;
  /**
   * Ops a match needs somewhere in the model (a normalization's Sqrt): on a model without one
   * of them the rule is not tried at all. Its pattern is rooted at a common op (every Add is
   * tried as a layer norm) and its check is one of the costliest.
   */
  readonly needs?: readonly string[];
  check?(b: Bindings, ctx: FusionContext): CheckResult;
  rewrite(b: Bindings, ctx: FusionContext): FusedNode;
}

/**
 * Whether onnxruntime (CPU and web) has kernels of the fused ops for values of this dtype: Relu,
 * Clip, Gemm, LayerNormalization, Softmax and friends are float32/float64 there (Relu on int32
 * is "NOT_IMPLEMENTED"), so fusions apply to those dtypes only.
 */
export function hasFusedKernels(v: Value): boolean {
  return v.type.dtype === "float32" || v.type.dtype === "float64";
}
