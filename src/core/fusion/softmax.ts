/**
 * jax.nn.softmax and log_softmax over one axis, as ONNX Softmax / LogSoftmax (opset 13: `axis`
 * is the one axis normalized). JAX spells them with the max subtracted for stability:
 *   s = x - max(x, axis) (the max clamped from below by -inf, kept dims through a reshape),
 *   softmax = exp(s) / sum(exp(s), axis);  log_softmax = s - log(sum(exp(s), axis)).
 * ONNX's ops are defined the same way (and computed stably by the runtimes).
 */
import { attr, type Value } from "../ir/ir";
import { op, v } from "./pattern";
import { producer, reduceAxes, scalarValue, throughReshapes } from "./graph-reading";
import { reject, type CheckResult, type FusionRule } from "./rule";

/** x - max(x, [axis]) as (x, axis), else null. */
function shifted(s: Value): { x: Value; axis: number } | null {
  const sub = producer(s, "Sub");
  if (!sub?.inputs[0] || !sub.inputs[1]) return null;
  let m = throughReshapes(sub.inputs[1]);
  const clamp = producer(m, "Max");
  if (clamp) {
    const [a, b] = clamp.inputs;
    m = scalarValue(a) === -Infinity && b ? b : scalarValue(b) === -Infinity && a ? a : m;
  }
  // reduce_max's NaN propagation (where(any(isnan(x)), nan, max)) changes nothing here: a NaN
  // in the row makes every exp(x - m) NaN either way, in JAX and in ONNX's Softmax.
  const guard = producer(m, "Where");
  if (guard && Number.isNaN(scalarValue(guard.inputs[1]) ?? 0) && guard.inputs[2]) m = guard.inputs[2];
  const max = producer(m, "ReduceMax");
  const axes = max ? reduceAxes(max) : null;
  if (!max || axes?.length !== 1) return null;
  if (max.inputs[0] === sub.inputs[0]) return { x: sub.inputs[0], axis: axes[0] };
  return transposedShift(sub.inputs[0], max.inputs[0], axes[0], sub.inputs[1]);
}

/**
 * jax.nn.dot_product_attention's form: the max taken over x, subtracted from Transpose(x)
 * (a layout change between the reduction and the rest). The same softmax over the transposed
 * value, along the max's axis as it lands there, when the max is put back without reordering:
 * its other non-unit dims keep their order under the Transpose and the reshaped max has the
 * transposed shape with that axis 1.
 */
function transposedShift(shifted: Value, x: Value | null, axis: number, keptMax: Value): { x: Value; axis: number } | null {
  const tr = producer(shifted, "Transpose");
  const perm = tr?.attrs.perm?.type === "ints" ? tr.attrs.perm.value : null;
  if (!tr || !perm || tr.inputs[0] !== x || !x) return null;
  const at = perm.indexOf(axis);
  const xs = x.type.shape;
  const kept = perm.filter((p) => p !== axis && xs[p] !== 1);
  if (at < 0 || kept.some((p, i) => i > 0 && p < kept[i - 1])) return null;
  const want = shifted.type.shape.map((d, i) => (i === at ? 1 : d));
  const got = keptMax.type.shape;
  if (got.length !== want.length || got.some((d, i) => d === null || d !== want[i])) return null;
  return { x: shifted, axis: at };
}

/** sum(exp(s), [axis]) through reshapes, as s. */
function sumOfExp(v: Value, axis: number): Value | null {
  const sum = producer(throughReshapes(v), "ReduceSum");
  const axes = sum ? reduceAxes(sum) : null;
  const e = producer(sum?.inputs[0], "Exp");
  return e?.inputs[0] && axes?.length === 1 && axes[0] === axis ? e.inputs[0] : null;
}

function softmaxParts(div: { inputs: readonly (Value | null)[] }): { x: Value; axis: number } | { reason: string } {
  const [num, den] = div.inputs as Value[];
  const e = producer(num, "Exp");
  const sh = e?.inputs[0] ? shifted(e.inputs[0]) : null;
  if (!e || !sh) return { reason: "the numerator is not exp(x - max(x)) over one axis" };
  if (sumOfExp(den, sh.axis) !== e.inputs[0]) return { reason: "the denominator is not the sum of the same exponentials over the same axis" };
  return sh;
}

const verdict = (r: object): CheckResult => ("reason" in r ? reject((r as { reason: string }).reason) : true);

export const softmax: FusionRule = {
  name: "softmax",
  minOpset: 13,
  pattern: op("Div", v("num"), v("den")),
  check: (_b, ctx) => verdict(softmaxParts(ctx.root)),
  rewrite(_b, ctx) {
    const { x, axis } = softmaxParts(ctx.root) as { x: Value; axis: number };
    return { op: "Softmax", inputs: [x], attrs: { axis: attr.int(axis) } };
  },
};

function logSoftmaxParts(sub: { inputs: readonly (Value | null)[] }): { x: Value; axis: number } | { reason: string } {
  const [s, lg] = sub.inputs as Value[];
  const sh = shifted(s);
  const log = producer(lg, "Log");
  if (!sh || !log?.inputs[0]) return { reason: "not (x - max(x)) - log(...)" };
  return sumOfExp(log.inputs[0], sh.axis) === s ? sh : { reason: "the log is not of the sum of exp(x - max(x)) over the same axis" };
}

export const logSoftmax: FusionRule = {
  name: "log_softmax",
  minOpset: 13,
  pattern: op("Sub", v("s"), op("Log", v("sum"))),
  check: (_b, ctx) => verdict(logSoftmaxParts(ctx.root)),
  rewrite(_b, ctx) {
    const { x, axis } = logSoftmaxParts(ctx.root) as { x: Value; axis: number };
    return { op: "LogSoftmax", inputs: [x], attrs: { axis: attr.int(axis) } };
  },
};

export const SOFTMAX_RULES: readonly FusionRule[] = [softmax, logSoftmax];
