/**
 * jax.pure_callback calls Python at run time, which an ONNX model cannot. The one form lowered
 * is Equinox's run-time check (eqx.error_if, branched_error_if): its callbacks raise (or print)
 * in the cond branch taken when the check fails, and return dummies. They lower to what Equinox
 * itself returns with EQX_ON_ERROR=nan (equinox/_errors.py `_nan_like`): NaN for floats, the
 * largest value for ints, true for bools. So a failed check gives NaN outputs instead of an
 * exception; the Python side warns about each such check with its message and source line
 * (python/jax2onnx_lab/_runtime_checks.py). Any other callback stops the conversion.
 */
import { attr, encodeScalars, isFloat, type DType, type LoweringContext, type LoweringRule, type TensorType, type Value } from "../../src/core";

// equinox/_errors.py `_error`'s callbacks; python/jax2onnx_lab/_runtime_checks.py lists the same.
const EQUINOX_ERROR_CALLBACKS = new Set(["_error.<locals>.raises", "_error.<locals>.tpu_msg", "_error.<locals>.display_msg", "_error.<locals>.to_nan"]);

const INT_MAX: Partial<Record<DType, number | bigint>> = {
  int8: 127, int16: 32767, int32: 2147483647, int64: 9223372036854775807n,
  uint8: 255, uint16: 65535, uint32: 4294967295, uint64: 18446744073709551615n,
};

function nanLike(ctx: LoweringContext, t: TensorType): Value {
  const fill = isFloat(t.dtype) ? NaN : t.dtype === "bool" ? true : INT_MAX[t.dtype];
  if (fill === undefined) ctx.fail(`eqx.error_if on a ${t.dtype} value has no dummy to stand for it`);
  const value = { dtype: t.dtype, shape: [1], data: { kind: "bytes" as const, bytes: encodeScalars([fill], t.dtype) } };
  return ctx.op("ConstantOfShape", [ctx.shape(t.shape)], { value: attr.tensor(value) }, { types: [t] });
}

export const pureCallbackRule: LoweringRule = {
  primitive: "pure_callback",
  onnxOps: ["ConstantOfShape"],
  lower(ctx) {
    const callback = ctx.params.structFields("callback", "callback");
    const module = callback.str("module");
    const name = callback.str("name");
    if (module !== "equinox._errors" || !EQUINOX_ERROR_CALLBACKS.has(name)) {
      ctx.fail(`pure_callback calls the Python function ${module}.${name} at run time, which an ONNX model cannot do; compute it with JAX operations instead`);
    }
    return ctx.eqn.outputs.map((_, i) => nanLike(ctx, ctx.outType(i)));
  },
};
