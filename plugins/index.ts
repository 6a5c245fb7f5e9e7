/** The default rule registry: every lowering rule the converter ships. */
import { makeRegistry, type LoweringRule } from "../src/core";
import { CALL_RULES } from "./control/call";
import { condRule } from "./control/cond";
import { scanRule } from "./control/scan";
import { pureCallbackRule } from "./control/pure_callback";
import { whileRule } from "./control/while";
import { EQUINOX_INTERNAL_RULES } from "./equinox/internal";
import { maybeSetRule } from "./equinox/maybe_set";
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
  condRule,
  whileRule,
  scanRule,
  pureCallbackRule,
  ...EQUINOX_INTERNAL_RULES,
  maybeSetRule,
];

export const defaultRegistry = makeRegistry(ALL_RULES);
