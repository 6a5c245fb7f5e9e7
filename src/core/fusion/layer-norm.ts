/**
 * Normalizations over trailing axes, as ONNX's own ops:
 *  - `layer_norm`: (x - mean(x)) * rsqrt(var(x) + eps) [* scale] [+ bias] -> LayerNormalization
 *    (opset 17), for flax's fast variance `max(0, mean(x²) - mean(x)²)` (nnx.LayerNorm, Linen)
 *    and the two-pass `mean((x - mean(x))²)` (jnp.var, Equinox, hand-written forms), and Keras'
 *    `x * g + (beta - mean * g)` with g = rsqrt(var + eps) * gamma.
 *  - `rms_norm`: x * rsqrt(mean(x²) + eps) [* scale] -> RMSNormalization (opset 23); flax's
 *    RMSNorm subtracts a zero mean first, which is accepted.
 * The axes must be the last ones (the ops normalize `x.shape[axis:]`), the scale and bias one
 * value per normalized element; a scale or bias that is a reshaped [1, C] initializer becomes
 * [C] in place when nothing else reads it.
 */
import { attr, knownScalar, knownValues, type Value } from "../ir/ir";
import { op, v } from "./pattern";
import { meanOf, producer, rsqrtOf, sameAxes, scalarValue, squareOf, throughReshapes } from "./graph-reading";
import { reject, type FusionContext, type FusionRule } from "./rule";

interface Normalization {
  readonly x: Value;
  readonly axes: number[];
  readonly eps: number;
  readonly scale: Value | null;
  readonly bias: Value | null;
  /** Whether the mean is subtracted (LayerNorm) or not (RMSNorm). */
  readonly centered: boolean;
}

/** The variance of x over axes, in either form, through reshapes and a max(0, .). */
function isVarianceOf(v: Value, x: Value, axes: number[]): boolean {
  let u = throughReshapes(v);
  const relu = producer(u, "Relu");
  if (relu?.inputs[0]) u = relu.inputs[0];
  const max = producer(u, "Max");
  if (max) {
    const [a, b] = max.inputs;
    u = scalarValue(a) === 0 && b ? b : scalarValue(b) === 0 && a ? a : u;
  }
  const sub = producer(u, "Sub");
  if (sub?.inputs[0] && sub.inputs[1]) {
    const ex2 = meanOf(sub.inputs[0]);
    const m = squareOf(sub.inputs[1]);
    const em = m ? meanOf(m) : null;
    if (ex2 && em && squareOf(ex2.x) === x && em.x === x && sameAxes(ex2.axes, axes) && sameAxes(em.axes, axes)) return true;
  }
  const twoPass = meanOf(u);
  const d = twoPass ? squareOf(twoPass.x) : null;
  const centered = producer(d, "Sub");
  if (twoPass && centered && centered.inputs[0] === x && sameAxes(twoPass.axes, axes)) {
    const m = meanOf(centered.inputs[1]!);
    return !!m && m.x === x && sameAxes(m.axes, axes);
  }
  return false;
}

function isZero(v: Value): boolean {
  const u = throughReshapes(v);
  const expand = producer(u, "Expand");
  const vals = knownValues(expand?.inputs[0] ?? u);
  return !!vals && vals.every((a) => a === 0);
}

/**
 * A product as its factors, with `a / sqrt(s)` and `rsqrt(s)` factors recorded as `s` in
 * `rsqrtArgs`; inner results must be read only inside the product.
 */
function factorize(v: Value, readers: (x: Value) => number, root = true): { factors: Value[]; rsqrtArgs: Value[] } {
  const out = { factors: [] as Value[], rsqrtArgs: [] as Value[] };
  const inner = root || readers(v) === 1;
  const mul = producer(v, "Mul");
  const div = producer(v, "Div");
  const sqrt = div ? producer(div.inputs[1], "Sqrt") : null;
  const rs = rsqrtOf(throughReshapes(v));
  if (inner && mul && mul.inputs.length === 2) {
    for (const x of mul.inputs) {
      const f = factorize(x!, readers, false);
      out.factors.push(...f.factors);
      out.rsqrtArgs.push(...f.rsqrtArgs);
    }
  } else if (inner && div && sqrt?.inputs[0] && div.inputs[0]) {
    const f = factorize(div.inputs[0], readers, false);
    out.factors.push(...f.factors);
    out.rsqrtArgs.push(...f.rsqrtArgs, sqrt.inputs[0]);
  } else if (rs) out.rsqrtArgs.push(rs);
  else out.factors.push(v);
  return out;
}

/**
 * Keras' spelling, with the mean folded into the shift: x * g + (beta - mean * g) where
 * g = rsqrt(var + eps) * gamma, as add(mul(x, g), add(mul(neg(mean), g), beta)).
 */
function readExpanded(rootValue: Value, ctx: FusionContext): Normalization | null {
  const add = producer(rootValue, "Add");
  if (!add) return null;
  for (const [scaled, shift] of [add.inputs, [...add.inputs].reverse()] as Value[][]) {
    const mul = producer(scaled, "Mul");
    const shiftAdd = producer(shift, "Add");
    if (!mul || !shiftAdd || ctx.readers(scaled) !== 1 || ctx.readers(shift) !== 1) continue;
    for (const [x, g] of [mul.inputs, [...mul.inputs].reverse()] as Value[][]) {
      for (const [meanTerm, bias] of [shiftAdd.inputs, [...shiftAdd.inputs].reverse()] as Value[][]) {
        const mt = producer(meanTerm, "Mul");
        if (!mt || !mt.inputs.includes(g)) continue;
        const neg = producer(mt.inputs[0] === g ? mt.inputs[1] : mt.inputs[0], "Neg");
        const m = neg?.inputs[0] ? meanOf(neg.inputs[0]) : null;
        if (!m || m.x !== x) continue;
        const { factors, rsqrtArgs } = factorize(g, ctx.readers);
        if (rsqrtArgs.length !== 1 || factors.length > 1) continue;
        const epsAdd = producer(throughReshapes(rsqrtArgs[0]), "Add");
        const [va, vb] = (epsAdd?.inputs ?? []) as Value[];
        const eps = scalarValue(vb) ?? scalarValue(va);
        const variance = scalarValue(vb) !== null ? va : vb;
        if (eps === null || !variance || !isVarianceOf(variance, x, m.axes)) continue;
        return { x, axes: m.axes, eps, scale: factors[0] ?? null, bias, centered: true };
      }
    }
  }
  return null;
}

function read(rootValue: Value, ctx: FusionContext): Normalization | { reason: string } {
  const expanded = readExpanded(rootValue, ctx);
  if (expanded) return expanded;
  let product = rootValue;
  let bias: Value | null = null;
  const add = producer(rootValue, "Add");
  if (add) {
    const [a, b] = add.inputs as Value[];
    [product, bias] = producer(a, "Mul") || producer(a, "Div") ? [a, b] : [b, a];
    if (ctx.readers(product) !== 1) return { reason: "the normalized product is read elsewhere too" };
  }
  const { factors, rsqrtArgs } = factorize(product, ctx.readers);
  let centeredInput: Value | null = null;
  let centered = true;
  let x: Value | null = null;
  let axes: number[] | null = null;
  const rest: Value[] = [];
  for (const f of factors) {
    const sub = producer(f, "Sub");
    const m = sub?.inputs[1] ? meanOf(sub.inputs[1]) : null;
    if (sub && !centeredInput && m && m.x === sub.inputs[0]) {
      [centeredInput, x, axes] = [f, m.x, m.axes];
    } else if (sub && !centeredInput && sub.inputs[1] && isZero(sub.inputs[1])) {
      [centeredInput, x, centered] = [f, sub.inputs[0], false];
    } else rest.push(f);
  }
  if (rsqrtArgs.length !== 1) return { reason: "not one reciprocal square root of a variance" };
  const inner = rsqrtArgs[0];
  const epsAdd = producer(throughReshapes(inner), "Add");
  if (!epsAdd) return { reason: "no epsilon added to the variance" };
  const [va, vb] = epsAdd.inputs as Value[];
  const [variance, eps] = scalarValue(vb) !== null ? [va, scalarValue(vb)!] : [vb, scalarValue(va)];
  if (eps === null) return { reason: "the epsilon is not a scalar constant" };
  if (!centeredInput) {
    // RMSNorm without a (zero) mean: x is the factor whose square's mean is the "variance".
    const ms = meanOf(variance);
    const sq = ms ? squareOf(ms.x) : null;
    const i = rest.findIndex((f) => f === sq);
    if (!ms || !sq || i < 0) return { reason: "no centered input (x - mean) among the factors" };
    rest.splice(i, 1);
    [x, axes, centered] = [sq, ms.axes, false];
  }
  if (centered) {
    if (!isVarianceOf(variance, x!, axes!)) return { reason: "the value under the square root is not the variance of x over the mean's axes" };
  } else {
    const ms = meanOf(variance);
    if (!ms || squareOf(ms.x) !== x) return { reason: "the value under the square root is not the mean of x²" };
    axes = ms.axes;
  }
  const rank = x!.type.shape.length;
  if (!axes!.every((a, i) => a === rank - axes!.length + i)) return { reason: `the normalized axes [${axes!.join(",")}] are not the last ones` };
  if (rest.length > 1) return { reason: "more than one scale factor" };
  return { x: x!, axes: axes!, eps, scale: rest[0] ?? null, bias, centered };
}

/** A scale/bias as one value per normalized element (shape `norm`), or null. */
function asNormalizedShape(v: Value, norm: readonly (number | string | null)[], ctx: FusionContext): Value | null {
  const scalar = knownValues(v);
  if (scalar?.length === 1) {
    const dims = norm as number[];
    return ctx.constant(new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(scalar[0]), v.type.dtype, dims);
  }
  const shape = v.type.shape;
  const lead = shape.length - norm.length;
  if (lead < 0 || !shape.slice(lead).every((d, i) => d === norm[i]) || !shape.slice(0, lead).every((d) => d === 1)) return null;
  if (lead === 0) return v;
  // A [C] value reshaped to [1, C] (a function's weight input): the value before the reshape.
  const before = throughReshapes(v);
  if (before.type.shape.length === norm.length && before.type.shape.every((d, i) => d === norm[i])) return before;
  const t = v.tensor;
  const staticNorm = norm as number[];
  // A reshaped initializer only this op reads: the same bytes with the shape ONNX wants.
  if (t && !v.producer && ctx.readers(v) === 1 && (t.data.kind === "bytes" || !t.data.perm)) {
    v.tensor = { ...t, shape: staticNorm };
    v.type = { dtype: v.type.dtype, shape: staticNorm };
    return v;
  }
  return ctx.node("Reshape", [v, ctx.constant(staticNorm, "int64", [staticNorm.length])], {}, { dtype: v.type.dtype, shape: norm });
}

function normalizationRule(name: string, opType: string, minOpset: number, centered: boolean, rootOp: "Add" | "Mul" | "Div"): FusionRule {
  return {
    name,
    minOpset,
    pattern: op(rootOp, v("a"), v("b")),
    // Every reciprocal square root read() accepts is of a Sqrt (rsqrtOf, factorize).
    needs: ["Sqrt"],
    check(_b, ctx) {
      const n = read(ctx.root.outputs[0], ctx);
      if ("reason" in n) return reject(n.reason);
      if (n.centered !== centered) return reject(centered ? "not centered (an RMS norm)" : "centered (a layer norm)");
      if (!centered && n.bias) return reject("RMSNormalization has no bias");
      const norm = n.x.type.shape.slice(n.x.type.shape.length - n.axes.length);
      if (!norm.every((d) => typeof d === "number")) return reject("the normalized dims are not static");
      for (const p of [n.scale, n.bias]) {
        const s = p?.type.shape;
        if (p && knownScalar(p) !== null) continue;
        if (s && !(s.length >= norm.length && s.slice(s.length - norm.length).every((d, i) => d === norm[i]) && s.slice(0, s.length - norm.length).every((d) => d === 1))) {
          return reject(`scale or bias ${s.join("x")} is not one value per normalized element`);
        }
      }
      return true;
    },
    rewrite(_b, ctx) {
      const n = read(ctx.root.outputs[0], ctx) as Normalization;
      const norm = n.x.type.shape.slice(n.x.type.shape.length - n.axes.length) as number[];
      const ones = (): Value => ctx.constant(new Array<number>(norm.reduce((a, b) => a * b, 1)).fill(1), n.x.type.dtype, norm);
      const scale = n.scale ? asNormalizedShape(n.scale, norm, ctx)! : ones();
      const inputs = [n.x, scale, ...(n.bias ? [asNormalizedShape(n.bias, norm, ctx)!] : [])];
      return { op: opType, inputs, attrs: { axis: attr.int(n.x.type.shape.length - n.axes.length), epsilon: attr.float(n.eps) } };
    },
  };
}

export const NORMALIZATION_RULES: readonly FusionRule[] = [
  normalizationRule("layer_norm", "LayerNormalization", 17, true, "Add"),
  normalizationRule("layer_norm", "LayerNormalization", 17, true, "Mul"),
  normalizationRule("layer_norm", "LayerNormalization", 17, true, "Div"),
  normalizationRule("rms_norm", "RMSNormalization", 23, false, "Mul"),
];
