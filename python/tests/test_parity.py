"""Parity checks: dims parsed without eval, tolerances per dtype and shown, NaN/Inf reported."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from jax import export
from jax._src.core import max_dim

from jax2onnx_lab import allclose, to_onnx
from jax2onnx_lab._dim_expr import DimExprError, eval_dim
from jax2onnx_lab._parity import check_parity, compare_output, compare_outputs, resolve_shape
from jax2onnx_lab._tolerance import DEFAULT_TOLERANCES, default_tolerance

B, N = export.symbolic_shape("B, N")

# Each step applies the same operation to a JAX symbolic dim and to the Python int it stands for.
STEPS = {
    "add": (lambda d, c: d + c, lambda v, c: v + c),
    "mul": (lambda d, c: d * c, lambda v, c: v * c),
    "sub_from": (lambda d, c: c * 50 - d, lambda v, c: c * 50 - v),
    "times_B": (lambda d, c: d * B, lambda v, c: v * BV),
    "plus_N": (lambda d, c: d + N, lambda v, c: v + NV),
    "floordiv": (lambda d, c: d // c, lambda v, c: v // c),
    "mod": (lambda d, c: d % c, lambda v, c: v % c),
    "max": (lambda d, c: max_dim(d, c * 4), lambda v, c: max(v, c * 4)),
}
BV, NV = 7, 5


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(1, 9)), min_size=1, max_size=5))
def test_dim_text_evaluates_as_jax_computes_it(steps):
    """JAX prints the expression; our parser's value equals the same arithmetic on ints."""
    dim, value = B, BV
    for name, c in steps:
        on_dim, on_int = STEPS[name]
        try:
            dim = on_dim(dim, c)
        except Exception:  # JAX refuses some symbolic ops (e.g. floordiv of a sum): skip the step
            continue
        value = on_int(value, c)
    text = str(dim)
    if isinstance(dim, int):
        assert dim == value
        return
    assert eval_dim(text, {"B": BV, "N": NV}) == value, text


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo owned')",
        "B.__class__",
        "(lambda: 1)()",
        "B; 1",
        "B ** 2",
        "open('x')",
        "B + (",
        "(" * 300 + "B" + ")" * 300,
        "",
    ],
)
def test_hostile_dim_text_is_rejected_not_run(text):
    with pytest.raises(DimExprError):
        eval_dim(text, {"B": 3})


def test_resolve_shape_defaults_unknown_names():
    assert resolve_shape(("B", 4, "2*B + 1", "floordiv(N, 2)"), {"B": 5}) == (5, 4, 11, 1)


def test_every_float_dtype_has_a_stated_tolerance():
    for name in ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]:
        rtol, atol = default_tolerance(name)
        assert 0 < rtol < 0.5 and 0 < atol < 0.5 and DEFAULT_TOLERANCES[name] == (rtol, atol)
    # Tolerances follow precision: coarser formats get looser ones.
    assert default_tolerance("float64") < default_tolerance("float32") < default_tolerance("float16") < default_tolerance("bfloat16")
    assert default_tolerance(np.int32) == default_tolerance(np.bool_) == (0.0, 0.0)


def test_the_tolerance_used_is_shown_per_output():
    f32 = np.ones(3, np.float32)
    bf16 = np.ones(3, jnp.bfloat16)
    report = compare_outputs([f32, bf16, np.arange(3)], [f32 + 5e-6, bf16 * np.asarray(1.0078125, jnp.bfloat16), np.arange(3)])
    assert report.ok, report.text()
    lines = report.text().splitlines()
    assert "(rtol 1e-05, atol 1e-05)" in lines[0]
    assert "(rtol 0.01, atol 0.01)" in lines[1]  # the bfloat16 row, not float32's
    assert "(rtol 0, atol 0)" in lines[2]


def test_integers_must_match_exactly():
    out = compare_output("out_0", np.array([1, 2, 3], np.int32), np.array([1, 2, 4], np.int32))
    assert not out.ok and out.mismatches == 1 and "MISMATCH (1 of 3 elements)" in out.line()


def test_nan_and_inf_are_counted_not_compared_away():
    e = np.array([1.0, np.nan, np.inf, -np.inf, 2.0], np.float32)
    same = compare_output("out_0", e, e.copy())
    assert same.ok and same.nan == (1, 1) and same.posinf == (1, 1) and same.neginf == (1, 1)
    assert "1 NaN, 1 +Inf, 1 -Inf" in same.line()
    assert same.max_abs == 0.0  # over the finite elements only
    # A NaN where JAX has a number, an infinity of the other sign: mismatches, named.
    a = np.array([np.nan, np.nan, -np.inf, -np.inf, 2.0], np.float32)
    diff = compare_output("out_0", e, a)
    assert not diff.ok and diff.mismatches == 2
    assert "NaN 1 in JAX / 2 in ONNX" in diff.line() and "+Inf 1 in JAX / 0 in ONNX" in diff.line()
    # All non-finite: nothing to compare, and the report says so.
    allnan = compare_output("out_0", np.full(3, np.nan), np.full(3, np.nan))
    assert allnan.ok and allnan.max_abs is None and "no finite elements to compare (rtol 1e-09, atol 1e-12); 3 NaN: ok" in allnan.line()


def test_shape_dtype_and_count_problems():
    r = compare_outputs([np.ones(3, np.float32)], [np.ones(3, np.float64), np.ones(1)])
    assert not r.ok and "ONNX has 2 outputs, JAX has 1" in r.text() and "ONNX gives float64[3] but JAX float32[3]" in r.text()
    d = r.to_dict()
    assert d["ok"] is False and d["outputs"][0]["problem"].startswith("ONNX gives")


def test_a_real_model_with_nan_outputs_reports_them():
    """log of standard-normal inputs: NaN where x < 0, in JAX and in onnxruntime alike."""
    model = to_onnx(jnp.log, [(4, 5)])
    report = check_parity(jnp.log, model, [(4, 5)])
    (out,) = report.outputs
    assert report.ok, report.text()
    assert out.nan[0] == out.nan[1] > 0
    ok, text = allclose(jnp.log, model, [(4, 5)])
    assert ok and f"{out.nan[0]} NaN" in text


def test_a_real_mismatch_is_caught():
    """The model of one function checked against another: the report fails with numbers."""
    model = to_onnx(jnp.sin, [(3,)])
    ok, text = allclose(lambda x: jnp.sin(x) + 1e-3, model, [(3,)])
    assert not ok and "MISMATCH (3 of 3 elements)" in text and "max abs err 0.001" in text
    assert math.isclose(check_parity(lambda x: jnp.sin(x) + 1e-3, model, [(3,)]).outputs[0].max_abs, 1e-3, rel_tol=1e-3)


def test_float64_outputs_use_the_float64_row():
    with jax.enable_x64(True):
        spec = jax.ShapeDtypeStruct((3,), jnp.float64)
        model = to_onnx(jnp.tanh, [spec])
        report = check_parity(jnp.tanh, model, [spec])
    assert report.ok and (report.outputs[0].rtol, report.outputs[0].atol) == DEFAULT_TOLERANCES["float64"]
