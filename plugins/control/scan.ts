/**
 * lax.scan (and lax.fori_loop with static bounds, lax.map, ...): the `scan` primitive. Inputs are
 * `num_consts` consts, `num_carry` initial carries, then the xs scanned along axis 0; outputs
 * are the final carries then the ys stacked along a new axis 0 of size `length`. With `reverse`
 * the steps run from the last x to the first and ys[i] is the step that read xs[i]. `unroll`
 * is a compilation hint with no meaning here.
 *
 * Forms (bench/control_forms.py, an RNN cell, T=10..1000):
 *  1. With xs: ONNX Scan, which slices xs and stacks ys itself (scan_input_directions /
 *     scan_output_directions = 1 for reverse). onnxruntime ran it 1.1-2x faster than a Loop that
 *     Gathers x_t by the iteration number, and onnxruntime-web no slower.
 *  2. Without xs (fori_loop, scan(f, init, None, length=n)): ONNX Loop with the trip count;
 *     ys are the Loop's scan outputs, flipped along axis 0 for reverse.
 *  3. length 0: no loop at all; the carries pass through and each ys is an empty [0, ...].
 * Consts are read from the enclosing graph (outer-scope references), not carried.
 */
import { attr, encodeScalars, type LoweringContext, type LoweringRule, type TensorType, type Value } from "../../src/core";

/** Most negative end for a reversing Slice that is exact in a JS number (ONNX clamps it to -1). */
const BEFORE_START = -Number.MAX_SAFE_INTEGER;

const stepType = (t: TensorType): TensorType => ({ dtype: t.dtype, shape: t.shape.slice(1) });

function emptyStack(ctx: LoweringContext, t: TensorType): Value {
  const zero = { dtype: t.dtype, shape: [1], data: { kind: "bytes" as const, bytes: encodeScalars([0], t.dtype) } };
  return ctx.op("ConstantOfShape", [ctx.shape(t.shape)], { value: attr.tensor(zero) }, { types: [t] });
}

export const scanRule: LoweringRule = {
  primitive: "scan",
  onnxOps: ["Scan", "Loop", "Slice", "ConstantOfShape"],
  minOpset: 11,
  lower(ctx) {
    const body = ctx.params.jaxpr("jaxpr");
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
    if (length === 0) return [...init, ...ysTypes.map((t) => emptyStack(ctx, t))];
    if (xs.length) {
      // Case 1
      const stepBody = ctx.subgraph("scan_body", [...carryTypes, ...xs.map((x) => stepType(x.type))], (formals) => ctx.inline(body, [...consts, ...formals]));
      const attrs = {
        body: attr.graph(stepBody),
        num_scan_inputs: xs.length,
        ...(reverse ? { scan_input_directions: new Array<number>(xs.length).fill(1) } : {}),
        ...(reverse && ysTypes.length ? { scan_output_directions: new Array<number>(ysTypes.length).fill(1) } : {}),
      };
      return ctx.ops("Scan", [...init, ...xs], attrs, { types });
    }
    // Case 2
    const trips = typeof length === "number" ? ctx.scalar(length, "int64") : ctx.op("Reshape", [ctx.shape([length]), ctx.constant([], "int64", [0])]);
    const loopBody = ctx.subgraph("scan_body", [{ dtype: "int64", shape: [] }, { dtype: "bool", shape: [] }, ...carryTypes], ([, keepGoing, ...carries]) => [keepGoing, ...ctx.inline(body, [...consts, ...carries])]);
    const outs = ctx.ops("Loop", [trips, null, ...init], { body: attr.graph(loopBody) }, { types });
    if (!reverse) return outs;
    const flip = (y: Value, t: TensorType): Value => ctx.op("Slice", [y, ctx.int64s([-1]), ctx.int64s([BEFORE_START]), ctx.int64s([0]), ctx.int64s([-1])], {}, { types: [t] });
    return [...outs.slice(0, nCarry), ...outs.slice(nCarry).map((y, i) => flip(y, ysTypes[i]))];
  },
};
