/**
 * jax.nn.softplus (and so jax.nn.mish) is `logaddexp(x, 0)`, which JAX spells with a guard for
 * infinities of one sign on both sides (jax/_src/numpy/ufuncs.py, logaddexp):
 *   f = x - k;  where(f != f, x + k, max(x, k) + log1p(exp(-|f|)))
 * With k a finite constant, f is NaN only when x is NaN, and then the second branch is NaN too
 * (log1p(exp(-|NaN|)) is NaN, NaN + anything is NaN), so the Where, its Equal/Not and the `x + k`
 * branch compute nothing: the rule `logaddexp_nan_guard` keeps the second branch alone (with
 * remove-identities dropping `x - 0`, which is exact). Softplus goes from 12 nodes to 7 (Relu,
 * Abs, Neg, Exp, Add, Log, Add) and to 0.53-0.69x the time in onnxruntime 1.32 (1 thread;
 * bench/activation_forms.py, docs/fusions.md).
 *
 * Not emitted: ONNX Softplus and Mish (opset 18). Both run in onnxruntime and onnxruntime-web,
 * but onnxruntime 1.32's Softplus kernel is slower than even JAX's 12-node form (1.4-2.1x its
 * time; Mish, run through the same Softplus, 1.3-1.9x JAX's 14-node form), so the graph keeps
 * the elementwise nodes.
 */
import type { Value } from "../ir/ir";
import { c, op, v } from "./pattern";
import { producer, scalarValue } from "./graph-reading";
import { reject, type FusionRule } from "./rule";

const f = v("f");

const finiteConstant = (x: Value | null | undefined): boolean => {
  const k = scalarValue(x);
  return k !== null && Number.isFinite(k);
};

/**
 * Whether the guard's branch `x + k` is NaN wherever f is: f = x - k (or f = x, the `- 0` already
 * removed by remove-identities) with k a finite constant.
 */
function nanExactlyWhereF(f: Value, nanCase: Value): boolean {
  const sum = producer(nanCase, "Add");
  if (!sum?.inputs[0] || !sum.inputs[1]) return false;
  const [a, b] = sum.inputs;
  const sub = producer(f, "Sub");
  if (sub && ((sub.inputs[0] === a && sub.inputs[1] === b) || (sub.inputs[0] === b && sub.inputs[1] === a))) return finiteConstant(sub.inputs[1]);
  return (a === f && finiteConstant(b)) || (b === f && finiteConstant(a));
}

export const logaddexpNanGuard: FusionRule = {
  name: "logaddexp_nan_guard",
  minOpset: 1,
  pattern: op("Where", op("Not", op("Equal", f, f)), v("nanCase"), op("Add", v("larger"), op("Log", op("Add", op("Exp", op("Neg", op("Abs", f))), c(1))))),
  check: (b) => (nanExactlyWhereF(b.get("f")!, b.get("nanCase")!) ? true : reject("the operands are not a value and a finite constant: the guard catches inf - inf")),
  // The Where becomes the branch's own Add (the old one dies): no Identity left at a graph output.
  rewrite: (_b, ctx) => ({ op: "Add", inputs: ctx.root.inputs[2]!.producer!.inputs, attrs: {} }),
};
