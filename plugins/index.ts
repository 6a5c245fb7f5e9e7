/** The default rule registry: every lowering rule the converter ships. */
import { makeRegistry, type LoweringRule } from "../src/core";
import { complexConvGeneralDilatedRule } from "./complex/conv_general_dilated";
import { complexDotGeneralRule } from "./complex/dot_general";
import { fftRule } from "./complex/fft";
import { COMPLEX_ELEMENTWISE_RULES } from "./complex/elementwise";
import { COMPLEX_LAYOUT_RULES, COMPONENTWISE_PRIMITIVES, componentwise } from "./complex/layout";
import { CALL_RULES } from "./control/call";
import { choleskyRule } from "./linalg/cholesky";
import { customLinearSolveRule } from "./linalg/custom_linear_solve";
import { eighRule } from "./linalg/eigh";
import { luRule } from "./linalg/lu";
import { qrRule } from "./linalg/qr";
import { svdRule } from "./linalg/svd";
import { triangularSolveRule } from "./linalg/triangular_solve";
import { tridiagonalSolveRule } from "./linalg/tridiagonal_solve";
import { condRule } from "./control/cond";
import { scanRule } from "./control/scan";
import { platformIndexRule } from "./control/platform_index";
import { pureCallbackRule } from "./control/pure_callback";
import { whileRule } from "./control/while";
import { EQUINOX_INTERNAL_RULES } from "./equinox/internal";
import { maybeSetRule } from "./equinox/maybe_set";
import { broadcastInDimRule } from "./lax/broadcast_in_dim";
import { convGeneralDilatedRule } from "./lax/conv_general_dilated";
import { cumsumRule } from "./lax/cumsum";
import { CUMULATIVE_RULES } from "./lax/cumulative";
import { THREEFRY_RULES } from "./random/threefry";
import { SPECIAL_RULES } from "./lax/special";
import { IGAMMA_RULES } from "./lax/igamma";
import { BESSEL_RULES } from "./lax/bessel";
import { ZETA_RULES } from "./lax/zeta";
import { regularizedIncompleteBetaRule } from "./lax/regularized_incomplete_beta";
import { reducePrecisionRule } from "./lax/reduce_precision";
import { dotGeneralRule } from "./lax/dot_general";
import { ELEMENTWISE_RULES, integerPowRule, roundRule, selectNRule } from "./lax/elementwise";
import { atan2Rule } from "./lax/atan2";
import { BIT_RULES } from "./lax/bits";
import { bitcastConvertTypeRule } from "./lax/bitcast_convert_type";
import { convertElementTypeRule } from "./lax/convert_element_type";
import { nextafterRule } from "./lax/nextafter";
import { TOTAL_ORDER_RULES } from "./lax/total_order";
import { dimAsValueRule, iotaRule } from "./lax/iota";
import { REDUCE_WINDOW_RULES, reduceWindowRule } from "./lax/reduce_window";
import { REDUCTION_RULES } from "./lax/reductions";
import { reshapeRule } from "./lax/reshape";
import { concatenateRule, revRule, splitRule, squeezeRule, stackRule, tileRule, transposeRule, unstackRule } from "./lax/shape_ops";
import { dynamicSliceRule } from "./lax/dynamic_slice";
import { dynamicUpdateSliceRule } from "./lax/dynamic_update_slice";
import { gatherRule } from "./lax/gather";
import { padRule } from "./lax/pad";
import { SCATTER_RULES } from "./lax/scatter";
import { sliceRule } from "./lax/slice";
import { sortRule } from "./lax/sort";
import { approxTopKRule, topKRule } from "./lax/top_k";

export const ALL_RULES: readonly LoweringRule[] = [
  choleskyRule,
  triangularSolveRule,
  customLinearSolveRule,
  luRule,
  eighRule,
  qrRule,
  svdRule,
  tridiagonalSolveRule,
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
  ...THREEFRY_RULES,
  ...SPECIAL_RULES,
  ...IGAMMA_RULES,
  ...BESSEL_RULES,
  ...ZETA_RULES,
  regularizedIncompleteBetaRule,
  reducePrecisionRule,
  ...REDUCE_WINDOW_RULES,
  ...REDUCTION_RULES,
  iotaRule,
  dimAsValueRule,
  ...CALL_RULES,
  condRule,
  whileRule,
  scanRule,
  pureCallbackRule,
  platformIndexRule,
  ...EQUINOX_INTERNAL_RULES,
  maybeSetRule,
  // Slicing, indexing and windows (issue 6, cov-indexing).
  stackRule,
  unstackRule,
  tileRule,
  splitRule,
  revRule,
  sliceRule,
  padRule,
  dynamicSliceRule,
  dynamicUpdateSliceRule,
  gatherRule,
  ...SCATTER_RULES,
  sortRule,
  topKRule,
  approxTopKRule,
  reduceWindowRule,
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
  fftRule,
  ...COMPONENTWISE_PRIMITIVES.filter((p) => realPrimitives.has(p)).map(componentwise),
];

export const defaultRegistry = makeRegistry(ALL_RULES, COMPLEX_RULES);
