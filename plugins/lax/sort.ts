/**
 * lax.sort(*operands, dimension, num_keys, is_stable) -> ONNX TopK (largest=0) over the whole
 * axis, then GatherElements of every operand by the resulting permutation. ONNX has no Sort op,
 * but TopK is stable: "the element with the lower index will appear first" among equal values
 * (ONNX TopK spec), so a stable result is produced whatever is_stable says (a valid answer for
 * an unstable sort too).
 *
 * JAX sorts lexicographically on the first num_keys operands, floats in the total order
 * -inf < ... < -0 = 0 < ... < inf < NaN with every NaN equal (lax._sort_lt_comparator,
 * _canonicalize_float_for_sort). So keys are, most significant first: per key operand, for a
 * float "is NaN" then the value with NaNs set to 0; for an integer the value. TopK compares
 * with <, where -0 and 0 are equal, as in JAX. Several keys sort least significant first, each
 * pass stable, the permutations composed (an LSD radix sort over whole keys).
 */
import { isFloat, type LoweringContext, type LoweringRule, type Value } from "../../src/core";
import { castTo, kernelDtype } from "../shared/kernel_dtypes";

/** The keys one sort operand contributes, most significant first. */
function keysOf(ctx: LoweringContext, x: Value): Value[] {
  const dtype = x.type.dtype;
  if (dtype === "uint64") ctx.fail("sorting uint64 keys is not supported: onnxruntime's TopK has no uint64 kernel and int64 does not keep their order");
  if (!isFloat(dtype)) return [castTo(ctx, x, kernelDtype("TopK", dtype))];
  const nan = ctx.op("IsNaN", [x]);
  return [castTo(ctx, nan, "uint8"), ctx.op("Where", [nan, ctx.scalar(0, dtype), x])];
}

/** The stable ascending permutation of `keys` (most significant first) along `axis`. */
export function sortPermutation(ctx: LoweringContext, keys: readonly Value[], axis: number): Value {
  const k = ctx.builder.dimTensor(keys[0].type.shape[axis]);
  let perm: Value | null = null;
  for (const key of [...keys].reverse()) {
    const ordered: Value = perm ? ctx.op("GatherElements", [key, perm], { axis }) : key;
    const [, order] = ctx.ops("TopK", [ordered, k], { axis, largest: 0, sorted: 1 });
    perm = perm ? ctx.op("GatherElements", [perm, order], { axis }) : order;
  }
  return perm!;
}

export const sortRule: LoweringRule = {
  primitive: "sort",
  onnxOps: ["TopK", "GatherElements", "IsNaN", "Where", "Cast"],
  lower(ctx) {
    const operands = ctx.inputs();
    const axis = ctx.params.int("dimension");
    const numKeys = ctx.params.int("num_keys");
    const perm = sortPermutation(ctx, operands.slice(0, numKeys).flatMap((x) => keysOf(ctx, x)), axis);
    return operands.map((x) => ctx.op("GatherElements", [x, perm], { axis }));
  },
};
