/**
 * Complex layout and selection primitives (the registry's complex table, docs/complex.md).
 *  1. On the pairs directly, the trailing (real, imag) axis riding along: transpose (perm plus
 *     the last axis), squeeze, concatenate, reduce_sum.
 *  2. Componentwise: a primitive that moves, selects or sums elements without mixing them acts
 *     on the real and imaginary parts alike, so the real table's own rule runs once per part
 *     (integer and bool operands, such as indices and predicates, go to both runs) and the
 *     results are packed. Whatever the real rule supports (symbolic dims, modes) carries over.
 *  3. Call-like primitives and pass-throughs, which do not look at values.
 */
import { ComplexMath, componentDtype, isComplex, type Atom, type Eqn, type LoweringContext, type LoweringRule, type Value, type Var } from "../../src/core";
import { CALL_RULES } from "../control/call";
import { reduce } from "../lax/reductions";

const realAval = <T extends { readonly aval: Var["aval"] }>(x: T): T => ({ ...x, aval: { ...x.aval, dtype: componentDtype(x.aval.dtype) } });

/** The eqn with complex avals replaced by their parts' real dtype: what the real rule sees. */
function asRealEqn(eqn: Eqn): Eqn {
  const inputs = eqn.inputs.map((a): Atom => (a.kind === "var" ? { kind: "var", var: realAval(a.var) } : realAval(a)));
  return { ...eqn, inputs, outputs: eqn.outputs.map(realAval) };
}

export const componentwise = (primitive: string): LoweringRule => ({
  primitive,
  onnxOps: ["Gather", "Unsqueeze", "Concat"],
  lower(ctx: LoweringContext, eqn: Eqn) {
    const complexIn = ctx.inputs().map((_, i) => isComplex(ctx.inAval(i).dtype));
    const dtype = componentDtype(eqn.outputs.map((v) => v.aval.dtype).find(isComplex) ?? ctx.inAval(complexIn.indexOf(true)).dtype);
    const m = new ComplexMath(ctx, dtype);
    const parts = ctx.inputs().map((v, i) => (complexIn[i] ? m.split(v) : null));
    const real = asRealEqn(eqn);
    const run = (k: "re" | "im"): Value[] => ctx.lowerWithRealRule(real, ctx.inputs().map((v, i) => (parts[i] ? parts[i]![k]! : v)));
    const [re, im] = [run("re"), run("im")];
    return eqn.outputs.map((v, i) => (isComplex(v.aval.dtype) ? m.pack({ re: re[i], im: im[i] }) : re[i]));
  },
});

const onPairs = (primitive: string, onnxOps: string[], lower: LoweringRule["lower"]): LoweringRule => ({ primitive, onnxOps, lower });

/** The call rules lower bodies of any dtype: their complex rows are the same rules. */
const passThrough = (primitive: string): LoweringRule => ({ primitive, onnxOps: [], lower: (ctx) => ctx.inputs() });

/** Case 2: primitives whose complex rule is their real rule per part (when the real table has one). */
export const COMPONENTWISE_PRIMITIVES = [
  "reshape", "broadcast_in_dim", "select_n", "dynamic_slice", "dynamic_update_slice", "pad", "rev", "gather",
  "scatter", "scatter-add", "cumsum", "split", "tile", "expand_dims", "reduce_window_sum",
];

export const COMPLEX_LAYOUT_RULES: LoweringRule[] = [
  // Case 1
  onPairs("transpose", ["Transpose"], (ctx) => {
    const perm = ctx.params.ints("permutation");
    return ctx.op("Transpose", [ctx.input(0)], { perm: [...perm, perm.length] });
  }),
  onPairs("squeeze", ["Squeeze"], (ctx) => ctx.op("Squeeze", [ctx.input(0), ctx.int64s(ctx.params.ints("dimensions"))])),
  onPairs("concatenate", ["Concat"], (ctx) => ctx.op("Concat", ctx.inputs(), { axis: ctx.params.int("dimension") }, { types: [ctx.outType()] })),
  onPairs("reduce_sum", ["ReduceSum"], (ctx) => reduce(ctx, "ReduceSum", ctx.input(0), ctx.params.ints("axes"))),
  // lax.slice(start_indices, limit_indices, strides) on the leading axes.
  onPairs("slice", ["Slice"], (ctx) => {
    const starts = ctx.params.ints("start_indices");
    const strides = ctx.params.isNone("strides") ? starts.map(() => 1) : ctx.params.ints("strides");
    const axes = starts.map((_, i) => i);
    return ctx.op("Slice", [ctx.input(0), ctx.int64s(starts), ctx.int64s(ctx.params.ints("limit_indices")), ctx.int64s(axes), ctx.int64s(strides)]);
  }),
  // Case 3
  ...CALL_RULES,
  ...["copy", "copy_p", "stop_gradient", "optimization_barrier"].map(passThrough),
];
