/**
 * lax.scan (and lax.fori_loop with static bounds, lax.map, ...): the `scan` primitive. Inputs are
 * `num_consts` consts, `num_carry` initial carries, then the xs scanned along axis 0; outputs
 * are the final carries then the ys stacked along a new axis 0 of size `length`. With `reverse`
 * the steps run from the last x to the first and ys[i] is the step that read xs[i]. `unroll`
 * is a compilation hint with no meaning here.
 *
 * Form: ONNX Scan, which slices the xs and stacks the ys itself (scan_input_directions /
 * scan_output_directions = 1 for reverse); consts are read from the enclosing graph
 * (outer-scope references), not carried. Measured against a Loop that Gathers x_t by the
 * iteration number (bench/control_forms.py, onnxruntime 1.32 and onnxruntime-web 1.30, 1 thread):
 * Scan ran 1.1-1.7x faster on an RNN cell (T=10..1000) in onnxruntime and as fast or faster in
 * onnxruntime-web, and a scan without xs ran 1.2-2.7x faster as a Scan over a dummy [length]
 * input than as a Loop with a trip count. So:
 *  1. With xs: Scan over them.
 *  2. Without xs (fori_loop, scan(f, init, None, length=n)): Scan over a bool [length] of
 *     ConstantOfShape, which only gives the Scan its length.
 *  3. length 0: no loop at all; the carries pass through and each ys is an empty [0, ...].
 */
import { attr, encodeScalars, type LoweringContext, type LoweringRule, type TensorType, type Value } from "../../src/core";

const stepType = (t: TensorType): TensorType => ({ dtype: t.dtype, shape: t.shape.slice(1) });

/** A tensor of type `t` filled with zeros (false), made at run time: its shape may be symbolic. */
function emptyLike(ctx: LoweringContext, t: TensorType): Value {
  const zero = { dtype: t.dtype, shape: [1], data: { kind: "bytes" as const, bytes: encodeScalars([0], t.dtype) } };
  return ctx.op("ConstantOfShape", [ctx.shape(t.shape)], { value: attr.tensor(zero) }, { types: [t] });
}

export const scanRule: LoweringRule = {
  primitive: "scan",
  onnxOps: ["Scan", "ConstantOfShape"],
  minOpset: 11,
  lower(ctx) {
    const nConsts = ctx.params.int("num_consts");
    const nCarry = ctx.params.int("num_carry");
    const reverse = ctx.params.bool("reverse");
    const length = ctx.params.dim("length");
    if (ctx.params.has("_split_transpose") && ctx.params.bool("_split_transpose")) {
      ctx.fail("scan with _split_transpose=True (a reverse-mode autodiff layout) cannot lower; convert the forward program");
    }
    const inputs = ctx.inputs();
    const consts = inputs.slice(0, nConsts);
    const init = inputs.slice(nConsts, nConsts + nCarry);
    const xs = inputs.slice(nConsts + nCarry);
    const types = ctx.eqn.outputs.map((_, i) => ctx.outType(i));
    const carryTypes = types.slice(0, nCarry);
    const ysTypes = types.slice(nCarry);
    // Case 3
    if (length === 0) return [...init, ...ysTypes.map((t) => emptyLike(ctx, t))];
    // Cases 1 and 2: without xs a Scan still needs a scan input, for its length.
    const ticks = xs.length ? xs : [emptyLike(ctx, { dtype: "bool", shape: [length] })];
    const body = ctx.params.jaxpr("jaxpr");
    const stepBody = ctx.subgraph("scan_body", [...carryTypes, ...ticks.map((x) => stepType(x.type))], (formals) =>
      ctx.inline(body, [...consts, ...formals.slice(0, nCarry), ...formals.slice(nCarry, nCarry + xs.length)]),
    );
    const attrs = {
      body: attr.graph(stepBody),
      num_scan_inputs: ticks.length,
      ...(reverse ? { scan_input_directions: new Array<number>(ticks.length).fill(1) } : {}),
      ...(reverse && ysTypes.length ? { scan_output_directions: new Array<number>(ysTypes.length).fill(1) } : {}),
    };
    return ctx.ops("Scan", [...init, ...ticks], attrs, { types });
  },
};
