/**
 * maybe_set (equinox/internal/_loop/common.py, what eqxi.while_loop's buffers write with):
 * `xs.at[i].set(x)`, where x is first replaced by `select(pred, x, xs[i])` when
 * `makes_false_steps` (otherwise an unbatched pred is true by Equinox's contract). The form
 * lowered is the one Diffrax uses: a single dynamic index `i` on axis 0 (`i_static` None, one
 * dynamic leaf, no `kwargs`). JAX's `.at[i].set` counts a negative i from the end and drops an
 * update out of bounds (scatter mode FILL_OR_DROP).
 *
 * ONNX form: a one-hot row mask, Where(Range(n) == i, x, xs): exact for every i (an index out
 * of bounds matches no row, so nothing is written), where ScatterND would fail on one.
 */
import { onnxTypeCode, type LoweringRule, type Value } from "../../src/core";

export const maybeSetRule: LoweringRule = {
  primitive: "maybe_set",
  onnxOps: ["Where", "Equal", "Range", "Unsqueeze", "Cast"],
  lower(ctx) {
    const [pred, xs, x, ...index] = ctx.inputs();
    if (!ctx.params.isNone("i_static") || index.length !== 1 || index[0].type.shape.length !== 0 || ctx.params.tuple("kwargs").length) {
      ctx.fail("maybe_set is lowered for a single scalar index on axis 0 (xs.at[i].set(x)), as Diffrax uses it; this one indexes otherwise");
    }
    const rank = xs.type.shape.length;
    const n = xs.type.shape[0];
    const count = typeof n === "number" ? ctx.scalar(n, "int64") : ctx.op("Reshape", [ctx.shape([n]), ctx.constant([], "int64", [0])]);
    let i: Value = ctx.op("Cast", [index[0]], { to: onnxTypeCode("int64") });
    i = ctx.op("Where", [ctx.op("Less", [i, ctx.scalar(0, "int64")]), ctx.op("Add", [i, count]), i]);
    const rows = ctx.op("Range", [ctx.scalar(0, "int64"), count, ctx.scalar(1, "int64")], {}, { types: [{ dtype: "int64", shape: [n] }] });
    let mask = ctx.op("Equal", [rows, i]);
    if (rank > 1) mask = ctx.op("Unsqueeze", [mask, ctx.int64s(Array.from({ length: rank - 1 }, (_, k) => k + 1))]);
    // onnxruntime has no bool Where kernel: select over uint8.
    const asData = (v: Value): Value => (v.type.dtype === "bool" ? ctx.op("Cast", [v], { to: onnxTypeCode("uint8") }) : v);
    let row = asData(ctx.op("Unsqueeze", [x, ctx.int64s([0])]));
    const old = asData(xs);
    if (ctx.params.bool("makes_false_steps")) {
      const current = ctx.op("Gather", [old, ctx.op("Max", [ctx.op("Min", [i, ctx.op("Sub", [count, ctx.scalar(1, "int64")])]), ctx.scalar(0, "int64")])], { axis: 0 });
      row = ctx.op("Where", [pred, row, ctx.op("Unsqueeze", [current, ctx.int64s([0])])]);
    }
    const out = ctx.op("Where", [mask, row, old]);
    return xs.type.dtype === "bool" ? ctx.op("Cast", [out], { to: onnxTypeCode("bool") }) : out;
  },
};
