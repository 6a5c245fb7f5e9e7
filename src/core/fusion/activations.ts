/**
 * Activations JAX spells with max/min/where, as ONNX's own ops (onnxruntime fuses Conv+Relu,
 * Conv+Clip and Gemm+Relu, never Conv+Max):
 *  - jax.nn.relu `max(x, 0)` -> Relu (opset 1 semantics, kept since 14).
 *  - jnp.clip / jax.nn.relu6 `min(max(x, lo), hi)` -> Clip(x, lo, hi) (bounds as inputs: opset 11+).
 *  - jax.nn.leaky_relu `where(x >= 0, x, alpha * x)` -> LeakyRelu(alpha) (opset 6+).
 *  - jax.nn.hard_swish `x * (min(max(x + 3, 0), 6) / 6)` -> HardSwish (opset 14+).
 * Only scalar constants bound (a per-channel bound is not an activation).
 */
import { attr, type Value } from "../ir/ir";
import { scalarValue } from "./graph-reading";
import { c, op, v } from "./pattern";
import { reject, type FusionRule } from "./rule";

const x = v("x");

export const relu: FusionRule = {
  name: "relu",
  minOpset: 14,
  pattern: op("Max", x, c(0, 0)),
  rewrite: (b) => ({ op: "Relu", inputs: [b.get("x")!], attrs: {} }),
};

const clipRewrite = (b: Map<string, Value>) => ({ op: "Clip", inputs: [b.get("x")!, b.get("lo")!, b.get("hi")!], attrs: {} });
const clipCheck = (b: Map<string, Value>) => {
  // max(lo, x) binds x to the constant first: the operand that is a scalar constant is the bound.
  const inner = b.has("lo") && scalarValue(b.get("x")) !== null && scalarValue(b.get("lo")) === null ? "lo" : b.has("hi") && scalarValue(b.get("x")) !== null && scalarValue(b.get("hi")) === null ? "hi" : null;
  if (inner) {
    const [x, bound] = [b.get("x")!, b.get(inner)!];
    b.set("x", bound);
    b.set(inner, x);
  }
  const [lo, hi] = [scalarValue(b.get("lo")), scalarValue(b.get("hi"))];
  if (lo === null || hi === null) return reject("the bounds are not scalar constants");
  if (b.get("lo")!.type.shape.length || b.get("hi")!.type.shape.length) return reject("Clip takes rank-0 bounds; these are rank > 0");
  if (b.get("lo")!.type.dtype !== b.get("x")!.type.dtype) return reject("bounds of another dtype");
  return lo <= hi ? true : reject(`lower bound ${lo} above upper bound ${hi}`);
};

export const clipMinMax: FusionRule = {
  name: "clip",
  minOpset: 11,
  pattern: op("Min", op("Max", x, v("lo")), v("hi")),
  check: clipCheck,
  rewrite: clipRewrite,
};

export const clipMaxMin: FusionRule = {
  name: "clip",
  minOpset: 11,
  pattern: op("Max", op("Min", x, v("hi")), v("lo")),
  check: clipCheck,
  rewrite: clipRewrite,
};

export const leakyRelu: FusionRule = {
  name: "leaky_relu",
  minOpset: 6,
  pattern: op("Where", op("GreaterOrEqual", x, c(0, 0)), x, op("Mul", v("alpha"), x)),
  check: (b) => (scalarValue(b.get("alpha")) === null ? reject("the negative slope is not a scalar constant") : true),
  rewrite: (b) => ({ op: "LeakyRelu", inputs: [b.get("x")!], attrs: { alpha: attr.float(scalarValue(b.get("alpha"))!) } }),
};

export const hardSwish: FusionRule = {
  name: "hard_swish",
  minOpset: 14,
  pattern: op("Mul", x, op("Div", op("Min", op("Max", op("Add", x, c(3)), c(0, 0)), c(6)), c(6))),
  rewrite: (b) => ({ op: "HardSwish", inputs: [b.get("x")!], attrs: {} }),
};

export const ACTIVATION_RULES: readonly FusionRule[] = [hardSwish, clipMinMax, clipMaxMin, relu, leakyRelu];
