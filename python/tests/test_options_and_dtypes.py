"""to_onnx's options from the reference tool (enable_double_precision, input_names, output_names,
inputs_as_nchw, outputs_as_nchw) and the float64 / complex conventions, checked against JAX."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import onnx
import pytest
from flax import nnx
from jax import lax

from example_models import CNN, MLP, eval_mode
from harness import check_conversion
from jax2onnx_lab import ConversionError, allclose, to_onnx
from jax2onnx_lab._parity import compare, complex_to_pairs, pairs_to_complex, run_onnxruntime

DOUBLE = onnx.TensorProto.DOUBLE
FLOAT = onnx.TensorProto.FLOAT


def _elem_types(values) -> list[int]:
    return [v.type.tensor_type.elem_type for v in values]


def _dims(value_info) -> list:
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def _float_initializers(model) -> set[int]:
    return {t.data_type for t in model.graph.initializer if t.data_type in (FLOAT, DOUBLE)}


# -- enable_double_precision -------------------------------------------------------------------


def test_double_precision_flax_mlp_stays_float64_end_to_end(ort_web):
    """A Flax model built under x64 with float64 params: inputs, weights, every intermediate and
    the outputs are float64, and the result matches JAX's to float64 precision."""
    with jax.enable_x64(True):
        model = eval_mode(MLP(8, 16, 4, rngs=nnx.Rngs(0), approximate=False))
        for layer in (model.linear1, model.linear2):
            layer.kernel.set_value(layer.kernel.get_value().astype(jnp.float64))
            layer.bias.set_value(layer.bias.get_value().astype(jnp.float64))
    onnx_model = check_conversion(model, [("B", 8)], ort_web=ort_web, x64=True, dims=[{"B": 3}], rtol=1e-12, atol=1e-12)
    graph = onnx_model.graph
    assert _elem_types(graph.input) == [DOUBLE] and _elem_types(graph.output) == [DOUBLE]
    assert _float_initializers(onnx_model) == {DOUBLE}
    floats = [v for v in graph.value_info if v.type.tensor_type.elem_type in (FLOAT, DOUBLE)]
    assert floats and all(v.type.tensor_type.elem_type == DOUBLE for v in floats)
    # The exact gelu's Erf has no float64 kernel in onnxruntime: it is spelled out, not cast down.
    assert "Erf" not in {n.op_type for n in graph.node} and "Cast" not in {n.op_type for n in graph.node}


def test_double_precision_cnn_runs_float64_convolutions(ort_web):
    """onnxruntime has no float64 Conv or AveragePool: the model computes them in float64 anyway."""
    with jax.enable_x64(True):
        model = CNN(rngs=nnx.Rngs(0))
        params = nnx.state(model, nnx.Param)
        nnx.update(model, jax.tree.map(lambda p: p.astype(jnp.float64), params))
    onnx_model = check_conversion(model, [("B", 28, 28, 1)], ort_web=ort_web, x64=True, dims=[{"B": 2}], rtol=1e-10, atol=1e-10)
    ops = {n.op_type for n in onnx_model.graph.node}
    assert "Conv" not in ops and "AveragePool" not in ops and "MatMul" in ops


def test_enable_double_precision_controls_x64_while_tracing():
    def f(x):
        return jnp.sin(x) + jnp.arange(3)

    assert _elem_types(to_onnx(f, [(3,)], enable_double_precision=True).graph.output) == [DOUBLE]
    with jax.enable_x64(True):
        # False traces with x64 off (the reference's meaning), even if the user turned it on.
        assert _elem_types(to_onnx(f, [(3,)], enable_double_precision=False).graph.output) == [FLOAT]
        # None (default) follows JAX: shape tuples are float32, explicit float64 specs stay float64.
        assert _elem_types(to_onnx(f, [(3,)]).graph.output) == [FLOAT]
        assert _elem_types(to_onnx(f, [jax.ShapeDtypeStruct((3,), jnp.float64)]).graph.output) == [DOUBLE]
    assert not jax.config.jax_enable_x64


def test_float64_literals_and_constants_keep_their_bits():
    """1 + 1e-12 is not representable in float32; a float32 literal anywhere would lose it."""
    c = np.array([1e-12, np.pi, 1 / 3], np.float64)

    def f(x):
        return (x + 1e-12) * np.float64(1 / 3) + c

    model = to_onnx(f, [(3,)], enable_double_precision=True)
    x = np.array([1.0, -2.0, 3.5])
    with jax.enable_x64(True):
        expected = np.asarray(jax.jit(f)(x))
    (actual,) = run_onnxruntime(model, [x])
    assert actual.dtype == np.float64
    # XLA may fuse the multiply-add (one rounding less): equal to an ulp; a float32 step would be 1e-7 off.
    np.testing.assert_allclose(actual, expected, rtol=1e-15, atol=0)


# Made at import with x64 off, so float32: as the Diffrax cases' SaveAt(ts=jnp.linspace(...)) was.
_IMPORT_TIME_GRID = jnp.linspace(0.0, 2.0, 9)


def _scaled_by(grid):
    def f(y, s):
        # The grid's arithmetic stays in its own dtype (s is float32, Python numbers are weak); the
        # product with the float64 input promotes.
        return y * (grid / 0.05 * s + 1.0)

    return f


def test_import_time_float32_array_warns_and_the_model_keeps_jax_types():
    """The Diffrax float64 twins were 1e-7 off JAX: their float32 SaveAt kept JAX's own time
    arithmetic float32 under x64, and XLA rewrites float32 arithmetic (fused multiply-add, x / c
    as x * (1 / c)) where onnxruntime rounds each op. The converter follows JAX's types and says
    which array is float32; the same grid made under x64 gives a float64 program, no warning."""
    from jax2onnx_lab._precision_checks import SinglePrecisionWarning

    inputs = [(9,), jax.ShapeDtypeStruct((), jnp.float32)]
    feeds = [np.linspace(-1.0, 1.0, 9), np.float32(0.3)]
    with pytest.warns(SinglePrecisionWarning, match=r"float32\[9\] \(first used at .*test_options_and_dtypes\.py:\d+ \(_scaled_by.<locals>.f\)\)"):
        mixed = to_onnx(_scaled_by(_IMPORT_TIME_GRID), inputs, enable_double_precision=True)
    assert FLOAT in _float_initializers(mixed)
    with jax.enable_x64(True):
        grid = jnp.linspace(0.0, 2.0, 9)
        expected = np.asarray(jax.jit(_scaled_by(grid))(*feeds))
        with warnings.catch_warnings():
            warnings.simplefilter("error", SinglePrecisionWarning)
            double = to_onnx(_scaled_by(grid), inputs, enable_double_precision=True)
    assert _float_initializers(double) == {DOUBLE}
    np.testing.assert_allclose(run_onnxruntime(double, feeds)[0], expected, rtol=1e-15, atol=0)
    # The mixed program is float32 where JAX's is: it agrees with the float64 one only to float32.
    np.testing.assert_allclose(run_onnxruntime(mixed, feeds)[0], expected, rtol=1e-6, atol=0)


def test_allclose_with_double_precision_and_float64_params(tmp_path):
    def f(x, scale):
        return x * scale + 1e-13

    path = tmp_path / "m.onnx"
    to_onnx(f, [("B", 2)], input_params={"scale": np.float64(0.1)}, enable_double_precision=True, return_mode="file", output_path=path)
    ok, report = allclose(f, path, [("B", 2)], input_params={"scale": np.float64(0.1)}, enable_double_precision=True, rtol=1e-15, atol=1e-15)
    assert ok, report


# -- input_names / output_names ----------------------------------------------------------------


def test_input_and_output_names(ort_web):
    def f(x, y, *, flag):
        return {"sum": x + y * flag, "prod": x * y}

    model = to_onnx(f, [("B", 3), ("B", 3)], input_params={"flag": np.float32(2.0)}, input_names=["image", "mask"], output_names=["p", "s"])
    assert [i.name for i in model.graph.input] == ["image", "mask", "flag"]
    assert [o.name for o in model.graph.output] == ["p", "s"]  # output leaves in pytree order: prod, sum
    ok, report = allclose(lambda x, y, flag: f(x, y, flag=flag), model, [("B", 3), ("B", 3)], input_params={"flag": np.float32(2.0)})
    assert ok, report


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"input_names": ["a"]}, "input_names must list 2 names"),
        ({"output_names": ["a", "b"]}, "output_names must list 1 name"),
        ({"input_names": ["a", "a"]}, "input names must be unique"),
        ({"input_names": ["a", "b"], "output_names": ["a"]}, "differ from the input names"),
        ({"inputs_as_nchw": [2]}, "index 2 is out of range"),
        ({"inputs_as_nchw": [0, 0]}, "given twice"),
        ({"outputs_as_nchw": [0]}, "NCHW needs rank >= 3"),
    ],
)
def test_option_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        to_onnx(lambda x, y: x + y, [(2, 3), (2, 3)], **kwargs)


# -- inputs_as_nchw / outputs_as_nchw ------------------------------------------------------------


def test_nchw_edges_cancel_the_convolution_transposes():
    """The graph takes and returns NCHW; the program is NHWC. The edge Transposes meet the conv's
    own layout Transposes and cancel: the graph has no Transpose left."""
    w = np.random.default_rng(0).standard_normal((3, 3, 2, 4)).astype(np.float32)

    def f(x):
        y = lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jax.nn.relu(y + 1.0)

    model = to_onnx(f, [("B", 6, 6, 2)], inputs_as_nchw=[0], outputs_as_nchw=[0], input_names=["image_nchw"], output_names=["features_nchw"])
    onnx.checker.check_model(model, full_check=True)
    assert _dims(model.graph.input[0]) == ["B", 2, 6, 6] and _dims(model.graph.output[0]) == ["B", 4, 6, 6]
    assert "Transpose" not in [n.op_type for n in model.graph.node]
    x = np.random.default_rng(1).standard_normal((2, 6, 6, 2)).astype(np.float32)
    (actual,) = run_onnxruntime(model, {"image_nchw": x.transpose(0, 3, 1, 2)})
    ok, lines = compare([np.asarray(f(x)).transpose(0, 3, 1, 2)], [actual], rtol=1e-5, atol=1e-5)
    assert ok, lines


def test_nchw_edges_without_a_convolution_keep_their_transposes():
    def f(x, y):
        return x * 2.0, jnp.sum(x, axis=(1, 2)), y

    model = to_onnx(f, [(1, 4, 5, 3), (2, 3)], inputs_as_nchw=[0], outputs_as_nchw=[0])
    x = np.random.default_rng(2).standard_normal((1, 4, 5, 3)).astype(np.float32)
    y = np.ones((2, 3), np.float32)
    actual = run_onnxruntime(model, [x.transpose(0, 3, 1, 2), y])
    a, b, c = (np.asarray(v) for v in f(x, y))
    ok, lines = compare([a.transpose(0, 3, 1, 2), b, c], actual, rtol=1e-6, atol=1e-6)
    assert ok, lines


# -- complex -------------------------------------------------------------------------------------


def test_complex_inputs_and_outputs_are_pairs():
    def f(z, x):
        return z * x, jnp.abs(z)

    model = to_onnx(f, [jax.ShapeDtypeStruct(("B", 3), jnp.complex64), ("B", 3)])
    assert [_dims(i) for i in model.graph.input] == [["B", 3, 2], ["B", 3]]
    assert _elem_types(model.graph.input) == [FLOAT, FLOAT]
    assert [_dims(o) for o in model.graph.output] == [["B", 3, 2], ["B", 3]]
    z = np.array([[1 + 2j, -3j, 0.5]], np.complex64)
    x = np.array([[2.0, 1.0, -1.0]], np.float32)
    prod, mag = run_onnxruntime(model, [complex_to_pairs(z), x])
    np.testing.assert_allclose(pairs_to_complex(prod), z * x, rtol=1e-6)
    np.testing.assert_allclose(mag, np.abs(z), rtol=1e-6)


def test_complex128_under_double_precision_is_float64_pairs():
    model = to_onnx(lambda z: z * z, [jax.ShapeDtypeStruct((2,), jnp.complex128)], enable_double_precision=True)
    assert _elem_types(model.graph.input) == [DOUBLE] and _dims(model.graph.input[0]) == [2, 2]
    z = np.array([1 + 1e-9j, -2 + 3j])
    (out,) = run_onnxruntime(model, [complex_to_pairs(z)])
    np.testing.assert_allclose(pairs_to_complex(out), z * z, rtol=1e-15)


def test_complex_primitive_without_a_complex_rule_says_so():
    with pytest.raises(ConversionError, match=r"(?s)no ONNX lowering rule: tanh.*c64\[3\].*complex ones need a rule in the complex table"):
        to_onnx(jnp.tanh, [jax.ShapeDtypeStruct((3,), jnp.complex64)])


def test_allclose_on_a_complex_model():
    fn = lambda z: jnp.exp(z) @ jnp.conj(z).T  # noqa: E731
    spec = [jax.ShapeDtypeStruct((3, 3), jnp.complex64)]
    ok, report = allclose(fn, to_onnx(fn, spec), spec)
    assert ok, report
