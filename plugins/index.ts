/** The default rule registry: every lowering rule the converter ships. */
import { makeRegistry, type LoweringRule } from "../src/core";
import { complexConvGeneralDilatedRule } from "./complex/conv_general_dilated";
import { complexDotGeneralRule } from "./complex/dot_general";
import { COMPLEX_ELEMENTWISE_RULES } from "./complex/elementwise";
import { COMPLEX_LAYOUT_RULES, COMPONENTWISE_PRIMITIVES, componentwise } from "./complex/layout";
import { CALL_RULES } from "./control/call";
import { broadcastInDimRule } from "./lax/broadcast_in_dim";
import { convGeneralDilatedRule } from "./lax/conv_general_dilated";
import { cumsumRule } from "./lax/cumsum";
import { dotGeneralRule } from "./lax/dot_general";
import { ELEMENTWISE_RULES, convertElementTypeRule, integerPowRule, roundRule, selectNRule } from "./lax/elementwise";
import { dimAsValueRule, iotaRule } from "./lax/iota";
import { REDUCE_WINDOW_RULES } from "./lax/reduce_window";
import { REDUCTION_RULES } from "./lax/reductions";
import { reshapeRule } from "./lax/reshape";
import { concatenateRule, squeezeRule, transposeRule } from "./lax/shape_ops";

export const ALL_RULES: readonly LoweringRule[] = [
  ...ELEMENTWISE_RULES,
  integerPowRule,
  roundRule,
  convertElementTypeRule,
  selectNRule,
  dotGeneralRule,
  reshapeRule,
  broadcastInDimRule,
  squeezeRule,
  transposeRule,
  concatenateRule,
  convGeneralDilatedRule,
  cumsumRule,
  ...REDUCE_WINDOW_RULES,
  ...REDUCTION_RULES,
  iotaRule,
  dimAsValueRule,
  ...CALL_RULES,
];

/**
 * The complex table (docs/complex.md): rules for eqns with a complex input or output. Layout
 * primitives the real table has a rule for get a componentwise one (plugins/complex/layout.ts).
 */
const realPrimitives = new Set(ALL_RULES.map((r) => r.primitive));
export const COMPLEX_RULES: readonly LoweringRule[] = [
  ...COMPLEX_ELEMENTWISE_RULES,
  ...COMPLEX_LAYOUT_RULES,
  complexDotGeneralRule,
  complexConvGeneralDilatedRule,
  ...COMPONENTWISE_PRIMITIVES.filter((p) => realPrimitives.has(p)).map(componentwise),
];

export const defaultRegistry = makeRegistry(ALL_RULES, COMPLEX_RULES);
