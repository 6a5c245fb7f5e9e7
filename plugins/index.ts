/** The default rule registry: every lowering rule the converter ships. */
import { makeRegistry, type LoweringRule } from "../src/core";
import { CALL_RULES } from "./control/call";
import { broadcastInDimRule } from "./lax/broadcast_in_dim";
import { convGeneralDilatedRule } from "./lax/conv_general_dilated";
import { cumsumRule } from "./lax/cumsum";
import { CUMULATIVE_RULES } from "./lax/cumulative";
import { dotGeneralRule } from "./lax/dot_general";
import { ELEMENTWISE_RULES, integerPowRule, roundRule, selectNRule } from "./lax/elementwise";
import { atan2Rule } from "./lax/atan2";
import { BIT_RULES } from "./lax/bits";
import { bitcastConvertTypeRule } from "./lax/bitcast_convert_type";
import { convertElementTypeRule } from "./lax/convert_element_type";
import { nextafterRule } from "./lax/nextafter";
import { TOTAL_ORDER_RULES } from "./lax/total_order";
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
  atan2Rule,
  ...BIT_RULES,
  bitcastConvertTypeRule,
  nextafterRule,
  ...TOTAL_ORDER_RULES,
  dotGeneralRule,
  reshapeRule,
  broadcastInDimRule,
  squeezeRule,
  transposeRule,
  concatenateRule,
  convGeneralDilatedRule,
  cumsumRule,
  ...CUMULATIVE_RULES,
  ...REDUCE_WINDOW_RULES,
  ...REDUCTION_RULES,
  iotaRule,
  dimAsValueRule,
  ...CALL_RULES,
];

export const defaultRegistry = makeRegistry(ALL_RULES);
