"""Cases for plugins/lax/elementwise.ts: every table row, integer_pow, round and select_n."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import at_least_one, edge_values, positive, unit_interval, without_subnormals

# One op per element: float32 results hold rtol 1e-5 and atol 1e-6 (tighter than Case's default).
Case = functools.partial(testing.Case, atol=1e-6)

I32 = jnp.int32


def _i32(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.int32)


def _bool(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.bool_)


def _specials(rng, shape, dtype):
    """Normal floats with inf, -inf and NaN mixed in: for is_finite."""
    x = rng.standard_normal(shape)
    pick = rng.integers(0, 4, size=shape)
    x = np.where(pick == 1, np.inf, np.where(pick == 2, -np.inf, np.where(pick == 3, np.nan, x)))
    return x.astype(dtype)


def _halves(rng, shape, dtype):
    """Exact ties (k + 0.5, both signs) for round, plus the values naive `floor(|x| + 0.5)` gets
    wrong in float32: the float just below 0.5 and odd integers past 2**23."""
    ties = rng.integers(-8, 8, size=shape) + 0.5
    tricky = np.array([0.49999997, -0.49999997, 2.0**23 + 1, -(2.0**23 + 3), 2.5, -2.5, 0.5, -0.5, 1.5, -1.5])
    flat = ties.reshape(-1)
    flat[: min(flat.size, tricky.size)] = tricky[: flat.size]
    return flat.reshape(shape).astype(dtype)


def _nonzero(y):
    """Integer divisors drawn from [-5, 5] with 0 replaced (integer division by zero is undefined in ONNX)."""
    return jnp.where(y == 0, 3, y)


def _unary(name, fn, sample=None, **kw):
    return Case(name, fn, [("B", 3, 4)], sample=sample, **kw)


CASES = [
    # Arithmetic, float and int.
    Case("add", lax.add, [("B", 4), ("B", 4)], expect_ops=["Add"]),
    Case("add_int32", lax.add, [_i32(3, 4), _i32(3, 4)]),
    Case("add_scalar_literal", lambda x: x + 2.0, [("B", 4)]),
    Case("sub", lax.sub, [("B", 4), ("B", 4)], expect_ops=["Sub"]),
    Case("mul", lax.mul, [("B", 4), ("B", 4)], expect_ops=["Mul"]),
    Case("mul_int32", lax.mul, [_i32(3, 4), _i32(3, 4)]),
    Case("max", lax.max, [("B", 4), ("B", 4)], expect_ops=["Max"]),
    Case("min_int32", lax.min, [_i32(3, 4), _i32(3, 4)], expect_ops=["Min"]),
    # lax.max/min propagate NaN, as ONNX Max/Min do in onnxruntime; (u)int16 computes in int32.
    Case("max_nan", lax.max, [(6, 8), (6, 8)], sample=edge_values),
    Case("min_nan", lax.min, [(6, 8), (6, 8)], sample=edge_values),
    Case("max_int16", lax.max, [jax.ShapeDtypeStruct((3, 4), jnp.int16)] * 2, sample=edge_values, atol=0.0, rtol=0.0),
    Case("min_uint16", lax.min, [jax.ShapeDtypeStruct((3, 4), jnp.uint16)] * 2, sample=edge_values, atol=0.0, rtol=0.0),
    Case("max_uint32", lax.max, [jax.ShapeDtypeStruct((3, 4), jnp.uint32)] * 2, sample=edge_values, atol=0.0, rtol=0.0),
    Case("max_float16", lax.max, [jax.ShapeDtypeStruct((3, 4), jnp.float16)] * 2, sample=edge_values),
    # clamp(lo, x, hi) with scalar and array bounds; NaN x stays NaN.
    Case("clamp_scalar_bounds", lambda x: lax.clamp(-0.5, x, 0.5), [("B", 6)], sample=edge_values),
    Case("clamp_array_bounds", lambda lo, x: lax.clamp(lo, x, lo + 1.0), [(3, 4), (3, 4)]),
    Case("clamp_int8", lambda x: lax.clamp(jnp.int8(-3), x, jnp.int8(100)), [jax.ShapeDtypeStruct((3, 4), jnp.int8)], sample=edge_values, atol=0.0, rtol=0.0),
    Case("jnp_clip", lambda x: jnp.clip(x, 0.0, 1.0), [("B", 6)]),
    Case("add_any", lambda x: jax.grad(lambda v: jnp.sum(v * v + jnp.sin(v)))(x), [("B", 4)], expect_ops=["Add"]),
    Case("neg", lax.neg, [("B", 4)], expect_ops=["Neg"]),
    Case("neg_int32", lax.neg, [_i32(3, 4)]),
    Case("div", lax.div, [("B", 4), ("B", 4)], expect_ops=["Div"]),
    # lax.div on integers rounds toward zero, like ONNX Div: (-5) / 2 == -2.
    Case("div_int32_truncates", lambda x, y: lax.div(x, _nonzero(y)), [_i32(4, 5), _i32(4, 5)], expect_ops=["Div"]),
    Case("rem", lax.rem, [("B", 4), ("B", 4)], expect_ops=["Mod"]),
    # lax.rem takes the dividend's sign (C fmod): rem(-5, 3) == -2, rem(5, -3) == 2.
    Case("rem_int32_sign_of_dividend", lambda x, y: lax.rem(x, _nonzero(y)), [_i32(4, 5), _i32(4, 5)]),
    Case("pow", lax.pow, [("B", 4), ("B", 4)], sample=positive, expect_ops=["Pow"]),
    Case("square", lax.square, [("B", 4)]),
    Case("square_int32", lax.square, [_i32(3, 4)]),
    # Unary float math.
    _unary("exp", lax.exp, expect_ops=["Exp"]),
    _unary("exp2", lax.exp2),
    # cbrt: Pow plus a Newton step; rtol 1e-6 over all magnitudes; 1 / cbrt checks -0.
    _unary("cbrt", lax.cbrt, rtol=1e-6),
    # XLA on CPU gets cbrt of subnormals wrong (cbrt(1e-45) = -5.6e-16): they are left out.
    Case("cbrt_edges", lax.cbrt, [(6, 8)], sample=without_subnormals(edge_values), rtol=1e-6),
    Case("cbrt_signed_zero", lambda x: 1.0 / lax.cbrt(x), [(6, 8)], sample=without_subnormals(edge_values), rtol=1e-6),
    Case("cbrt_float16", lax.cbrt, [jax.ShapeDtypeStruct((3, 4), jnp.float16)], rtol=1e-3, atol=1e-3),
    _unary("expm1", lax.expm1),
    _unary("log", lax.log, positive, expect_ops=["Log"]),
    _unary("log1p", lax.log1p, unit_interval),
    _unary("tanh", lax.tanh, expect_ops=["Tanh"]),
    _unary("logistic", lax.logistic, expect_ops=["Sigmoid"]),
    _unary("sqrt", lax.sqrt, positive, expect_ops=["Sqrt"]),
    _unary("rsqrt", lax.rsqrt, positive),
    _unary("abs", lax.abs, expect_ops=["Abs"]),
    Case("abs_int32", lax.abs, [_i32(3, 4)]),
    _unary("sign", lax.sign, expect_ops=["Sign"]),
    Case("sign_int32", lax.sign, [_i32(3, 4)]),
    _unary("erf", lax.erf, expect_ops=["Erf"]),
    _unary("erfc", lax.erfc),
    _unary("sin", lax.sin, expect_ops=["Sin"]),
    _unary("cos", lax.cos, expect_ops=["Cos"]),
    _unary("tan", lax.tan, unit_interval, expect_ops=["Tan"]),
    _unary("asin", lax.asin, unit_interval, expect_ops=["Asin"]),
    _unary("acos", lax.acos, unit_interval, expect_ops=["Acos"]),
    _unary("atan", lax.atan, expect_ops=["Atan"]),
    _unary("sinh", lax.sinh, expect_ops=["Sinh"]),
    _unary("cosh", lax.cosh, expect_ops=["Cosh"]),
    _unary("asinh", lax.asinh, expect_ops=["Asinh"]),
    _unary("acosh", lax.acosh, at_least_one, expect_ops=["Acosh"]),
    _unary("atanh", lax.atanh, unit_interval, expect_ops=["Atanh"]),
    _unary("floor", lax.floor, expect_ops=["Floor"]),
    _unary("ceil", lax.ceil, expect_ops=["Ceil"]),
    _unary("is_finite", lax.is_finite, _specials, expect_ops=["IsInf", "IsNaN"]),
    # Comparisons; small ints make ties common, so eq/ne/le/ge see both outcomes.
    Case("eq_int32", lax.eq, [_i32(4, 5), _i32(4, 5)], expect_ops=["Equal"]),
    Case("ne_int32", lax.ne, [_i32(4, 5), _i32(4, 5)]),
    Case("ne_float", lax.ne, [("B", 4), ("B", 4)]),
    Case("lt", lax.lt, [("B", 4), ("B", 4)], expect_ops=["Less"]),
    Case("le_int32", lax.le, [_i32(4, 5), _i32(4, 5)], expect_ops=["LessOrEqual"]),
    Case("gt", lax.gt, [("B", 4), ("B", 4)], expect_ops=["Greater"]),
    Case("ge_int32", lax.ge, [_i32(4, 5), _i32(4, 5)], expect_ops=["GreaterOrEqual"]),
    # Logical on bools, bitwise on ints.
    Case("and_bool", lax.bitwise_and, [_bool(3, 4), _bool(3, 4)], expect_ops=["And"]),
    Case("or_bool", lax.bitwise_or, [_bool(3, 4), _bool(3, 4)], expect_ops=["Or"]),
    Case("xor_bool", lax.bitwise_xor, [_bool(3, 4), _bool(3, 4)], expect_ops=["Xor"]),
    Case("not_bool", lax.bitwise_not, [_bool(3, 4)], expect_ops=["Not"]),
    Case("and_int32", lax.bitwise_and, [_i32(3, 4), _i32(3, 4)], expect_ops=["BitwiseAnd"]),
    Case("or_int32", lax.bitwise_or, [_i32(3, 4), _i32(3, 4)], expect_ops=["BitwiseOr"]),
    Case("xor_int32", lax.bitwise_xor, [_i32(3, 4), _i32(3, 4)], expect_ops=["BitwiseXor"]),
    Case("not_int32", lax.bitwise_not, [_i32(3, 4)], expect_ops=["BitwiseNot"]),
    # Identity-like primitives.
    Case("copy", lambda x: jnp.copy(x) * 2.0, [("B", 4)]),
    Case("stop_gradient", lambda x: lax.stop_gradient(x) + 1.0, [("B", 4)]),
    Case("device_put", lambda x, y: sum(jax.device_put((x, y))), [("B", 4), ("B", 4)]),
    Case("optimization_barrier", lambda x, y: lax.add(*lax.optimization_barrier((x, y))), [("B", 4), ("B", 4)]),
    # integer_pow: repeated squaring; y = 0 is ones of x's shape, y < 0 a reciprocal.
    Case("integer_pow_0", lambda x: lax.integer_pow(x, 0), [("B", 4)]),
    Case("integer_pow_1", lambda x: lax.integer_pow(x, 1), [("B", 4)]),
    Case("integer_pow_2", lambda x: lax.integer_pow(x, 2), [("B", 4)]),
    Case("integer_pow_3", lambda x: lax.integer_pow(x, 3), [("B", 4)]),
    Case("integer_pow_5", lambda x: lax.integer_pow(x, 5), [("B", 4)]),
    Case("integer_pow_neg2", lambda x: lax.integer_pow(x, -2), [("B", 4)], sample=positive, expect_ops=["Reciprocal"]),
    Case("integer_pow_3_int32", lambda x: lax.integer_pow(x, 3), [_i32(3, 4)]),
    Case("integer_pow_0_int32", lambda x: lax.integer_pow(x, 0), [_i32(3, 4)]),
    # round: ties go away from zero (AWAY_FROM_ZERO, lax.round's default) or to even (jnp.round).
    Case("round_away_from_zero", lambda x: lax.round(x, lax.RoundingMethod.AWAY_FROM_ZERO), [(4, 5)], sample=_halves),
    Case("round_half_to_even", lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN), [(4, 5)], sample=_halves, expect_ops=["Round"]),
    Case("round_jnp", jnp.round, [("B", 6)]),
    # select_n: a bool selector picks cases[1] where true; an int32 selector indexes the cases.
    Case("select_n_bool", lambda p, a, b: lax.select_n(p, a, b), [_bool(3, 4), (3, 4), (3, 4)], expect_ops=["Where"]),
    Case("select_n_where", lambda x, y: jnp.where(x > y, x, y * 2.0), [("B", 4), ("B", 4)]),
    # A scalar predicate (computed in the graph: the harness cannot feed 0-d inputs yet).
    Case("select_n_scalar_pred", lambda a, b: lax.select_n(jnp.sum(a) > 0, a, b), [("B", 4), ("B", 4)]),
    Case(
        "select_n_int32_three_cases",
        lambda w, a, b, c: lax.select_n(jnp.clip(w, 0, 2), a, b, c),
        [_i32(3, 4), (3, 4), (3, 4), (3, 4)],
    ),
    Case("select_n_int32_two_cases", lambda w, a, b: lax.select_n(jnp.clip(w, 0, 1), a, b), [_i32(3, 4), (3, 4), (3, 4)]),
    Case("select_n_int_cases", lambda p, a, b: lax.select_n(p, a, b), [_bool(3, 4), _i32(3, 4), _i32(3, 4)]),
    Case("select_n_bool_cases", lambda p, a, b: lax.select_n(p, a, b), [_bool(3, 4), _bool(3, 4), _bool(3, 4)]),
    Case("select_n_bool_cases_int32_which", lambda w, a, b, c: lax.select_n(jnp.clip(w, 0, 2), a, b, c), [_i32(3, 4), _bool(3, 4), _bool(3, 4), _bool(3, 4)]),
]
