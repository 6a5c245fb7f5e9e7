/**
 * lax.reduce_window_{sum,max,min} (what avg_pool / max_pool are made of) -> ONNX pools.
 * JAX windows span every dim; ONNX pools want (N, C, spatial...). Dims with window 1, stride 1,
 * no padding and no dilation are the non-spatial ones: they become N and C (a unit C is added
 * when there is one), and the input is transposed so the spatial dims come last.
 *  - sum: AveragePool (count_include_pad=1, so padding counts as zeros) times the window size.
 *  - max: MaxPool. min: -MaxPool(-x).
 */
import { inversePerm, isIdentityPerm, type LoweringContext, type LoweringRule, type Value } from "../../src/core";

type Kind = "sum" | "max" | "min";

function lowerReduceWindow(ctx: LoweringContext, kind: Kind): Value {
  const p = ctx.params;
  const window = p.ints("window_dimensions");
  const strides = p.ints("window_strides");
  const padding = p.tuple("padding").map((_, i) => p.ints("padding", i));
  const baseDilation = p.ints("base_dilation");
  const windowDilation = p.ints("window_dilation");
  if (baseDilation.some((d) => d !== 1)) ctx.fail("base_dilation != 1 is not supported");
  const trivial = window.map((w, i) => w === 1 && strides[i] === 1 && padding[i][0] === 0 && padding[i][1] === 0 && windowDilation[i] === 1);
  const spatial = window.map((_, i) => i).filter((i) => !trivial[i]);
  const other = window.map((_, i) => i).filter((i) => trivial[i]);
  if (spatial.length === 0) return ctx.input(0);
  if (other.length > 2 || other.length === 0) ctx.fail(`pooling needs 1 or 2 non-window dims (batch, channel); this window has ${other.length}`);
  if (windowDilation.some((d) => d !== 1) && ctx.opset < 19) ctx.fail("window dilation needs opset >= 19");
  const perm = [...other, ...spatial];
  let x = ctx.input(0);
  const identity = isIdentityPerm(perm);
  if (!identity) x = ctx.op("Transpose", [x], { perm });
  if (other.length === 1) x = ctx.op("Unsqueeze", [x, ctx.int64s([1])]);
  let pads = [...spatial.map((i) => padding[i][0]), ...spatial.map((i) => padding[i][1])];
  // onnxruntime rejects pool pads >= kernel_shape ("Pad should be smaller than kernel"); JAX allows
  // them (a window wholly in the padding reduces to the init value), so pad explicitly then.
  const padFirst = spatial.some((i) => padding[i][0] >= window[i] || padding[i][1] >= window[i]);
  if (padFirst) {
    const fill = kind === "sum" ? 0 : kind === "max" ? -Infinity : Infinity;
    const zeros = [0, 0];
    x = ctx.op("Pad", [x, ctx.int64s([...zeros, ...pads.slice(0, spatial.length), ...zeros, ...pads.slice(spatial.length)]), ctx.scalar(fill, x.type.dtype)]);
    pads = pads.map(() => 0);
  }
  const attrs = {
    kernel_shape: spatial.map((i) => window[i]),
    strides: spatial.map((i) => strides[i]),
    pads,
    ...(windowDilation.some((d) => d !== 1) ? { dilations: spatial.map((i) => windowDilation[i]) } : {}),
  };
  let y: Value;
  if (kind === "sum") {
    const size = ctx.scalar(spatial.reduce((n, i) => n * window[i], 1), x.type.dtype);
    const avg = (v: Value): Value => ctx.op("AveragePool", [v], { ...attrs, count_include_pad: 1 });
    // After a Pad, scale first: onnxruntime-web 1.30's PadFusion (graph optimization level basic)
    // folds a Pad that feeds AveragePool back into its pads, which AveragePool then rejects.
    y = padFirst ? avg(ctx.op("Mul", [x, size])) : ctx.op("Mul", [avg(x), size]);
  } else if (kind === "max") {
    y = ctx.op("MaxPool", [x], attrs);
  } else {
    y = ctx.op("Neg", [ctx.op("MaxPool", [ctx.op("Neg", [x])], attrs)]);
  }
  if (other.length === 1) y = ctx.op("Squeeze", [y, ctx.int64s([1])]);
  return identity ? y : ctx.op("Transpose", [y], { perm: inversePerm(perm) });
}

export const REDUCE_WINDOW_RULES: LoweringRule[] = (["sum", "max", "min"] as const).map((kind) => ({
  primitive: `reduce_window_${kind}`,
  onnxOps: kind === "sum" ? ["AveragePool", "Mul", "Transpose", "Pad"] : ["MaxPool", "Transpose", "Neg", "Pad"],
  lower: (ctx: LoweringContext) => lowerReduceWindow(ctx, kind),
}));
