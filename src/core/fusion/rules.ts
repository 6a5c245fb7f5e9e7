/**
 * Fusions: where JAX spells out a computation that ONNX has as one op, the op replaces it
 * (fewer nodes, a readable graph, a fused kernel in the runtime). Each rule states the pattern
 * it rewrites as JAX's own lowering produces it, and the opset the fused op needs.
 */
import type { Value } from "../ir/ir";
import { attr, knownValues } from "../ir/ir";
import { c, op, v } from "./pattern";
import { ACTIVATION_RULES } from "./activations";
import { ACTIVATION_ORDER_RULES } from "./activation-order";
import { convBias, convBiasSqueezed } from "./conv-bias";
import { LAYOUT_CHAIN_RULES } from "./layout-chains";
import { scaleCancel } from "./scale-cancel";
import { AFFINE_RULES } from "./fold-affine";
import { batchNormalization } from "./batch-norm";
import { batchNormIntoNextGemm, batchNormIntoNextGemmNoBias } from "./batch-norm-into-gemm";
import { logaddexpNanGuard } from "./logaddexp";
import { GEMM_RULES } from "./gemm";
import { NORMALIZATION_RULES } from "./layer-norm";
import { SOFTMAX_RULES } from "./softmax";
import { ATTENTION_RULES } from "./attention";
import { reject, type FusionRule } from "./rule";

export type { FusionRule } from "./rule";

const x = v("x");

/** jax.nn.gelu(approximate=True): x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3))). */
const geluTanh: FusionRule = {
  name: "gelu_tanh",
  minOpset: 20,
  pattern: op(
    "Mul",
    x,
    op("Mul", c(0.5), op("Add", c(1), op("Tanh", op("Mul", c(Math.sqrt(2 / Math.PI)), op("Add", x, op("Mul", c(0.044715), op("Mul", x, op("Mul", x, x)))))))),
  ),
  rewrite: (b) => ({ op: "Gelu", inputs: [b.get("x")!], attrs: { approximate: attr.string("tanh") } }),
};

/** jax.nn.gelu(approximate=False): (0.5 * x) * erfc(-x / sqrt(2)), with erfc(y) = 1 - erf(y). */
const geluExact: FusionRule = {
  name: "gelu_exact",
  minOpset: 20,
  pattern: op("Mul", op("Mul", c(0.5), x), op("Sub", c(1), op("Erf", op("Mul", op("Neg", x), c(Math.SQRT1_2))))),
  rewrite: (b) => ({ op: "Gelu", inputs: [b.get("x")!], attrs: {} }),
};

/**
 * flax/jax avg_pool: reduce_window_sum divided by the window size. Our reduce_window_sum is
 * AveragePool(count_include_pad=1) times the window size, so the pair cancels to the pool.
 */
const averagePool: FusionRule = {
  name: "avg_pool",
  minOpset: 1,
  pattern: op("Div", op("Mul", v("pooled"), v("size")), v("divisor")),
  check(b) {
    const pool = b.get("pooled")!.producer;
    const [size, divisor] = [knownValues(b.get("size")!), knownValues(b.get("divisor")!)];
    if (pool?.op !== "AveragePool") return reject("the product is not of an AveragePool");
    if (pool.attrs.count_include_pad?.value !== 1) return reject("the pool does not count padding, so size / divisor do not cancel");
    if (size?.length !== 1 || divisor?.length !== 1 || size[0] !== divisor[0]) return reject("the factor and the divisor are not the same constant");
    return true;
  },
  rewrite(b) {
    const pool = b.get("pooled")!.producer!;
    return { op: "AveragePool", inputs: pool.inputs.filter((i): i is Value => i !== null), attrs: { ...pool.attrs } };
  },
};

export const FUSION_RULES: readonly FusionRule[] = [
  geluTanh,
  geluExact,
  averagePool,
  scaleCancel,
  ...SOFTMAX_RULES,
  ...ATTENTION_RULES,
  ...NORMALIZATION_RULES,
  ...ACTIVATION_RULES,
  ...AFFINE_RULES,
  batchNormalization,
  batchNormIntoNextGemm,
  batchNormIntoNextGemmNoBias,
  logaddexpNanGuard,
  ...GEMM_RULES,
  convBias,
  convBiasSqueezed,
  ...ACTIVATION_ORDER_RULES,
  ...LAYOUT_CHAIN_RULES,
];
