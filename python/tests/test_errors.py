"""Bad input gets one clear error naming the cause and the fix; nothing is left on disk."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax.extend.core import Primitive

from example_models import MLP
from jax2onnx_lab import ConversionError, UnsupportedPrimitiveError, allclose, to_onnx


def _primitive(name: str) -> Primitive:
    """A primitive no converter knows: JAX can trace it, nothing can lower it."""
    p = Primitive(name)
    p.def_impl(lambda x: x)
    p.def_abstract_eval(lambda x: x)
    return p


frobnicate = _primitive("frobnicate_test_only")
twiddle = _primitive("twiddle_test_only")


@jax.jit
def _inner(x):
    return twiddle.bind(x) * 2.0


def program(x):
    y = frobnicate.bind(x)  # LINE-FROBNICATE
    z = _inner(y) + frobnicate.bind(y)
    return jnp.tanh(z)


def _line(marker: str) -> int:
    with open(__file__) as f:
        return next(i for i, line in enumerate(f, 1) if marker in line and "def " not in line and "_line(" not in line)


def test_every_unsupported_primitive_is_listed_at_once(tmp_path):
    out = tmp_path / "model.onnx"
    with pytest.raises(UnsupportedPrimitiveError) as info:
        to_onnx(program, [("B", 4)], return_mode="file", output_path=out)
    message = str(info.value)
    # Both primitives, including the one inside a nested jit, in one error.
    assert "frobnicate_test_only" in message and "twiddle_test_only" in message
    assert "(2 uses)" in message  # frobnicate is used twice
    assert "f32[B,4]" in message  # input shapes and dtypes
    assert f"test_errors.py:{_line('LINE-FROBNICATE')}" in message  # the user's source line
    assert "docs/plugins.md" in message  # how to add a rule
    assert {s["primitive"] for s in info.value.sites} == {"frobnicate_test_only", "twiddle_test_only"}
    assert info.value.kind == "unsupported_primitives"
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_existing_file_is_untouched_on_failure(tmp_path):
    out = tmp_path / "model.onnx"
    out.write_bytes(b"previous model")
    with pytest.raises(UnsupportedPrimitiveError):
        to_onnx(program, [(2,)], return_mode="file", output_path=out)
    assert out.read_bytes() == b"previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_training_mode_model_says_call_eval():
    model = MLP(30, 20, 10, rngs=nnx.Rngs(0))  # not model.eval()
    with pytest.raises(ConversionError) as info:
        to_onnx(model, [("B", 30)])
    assert "model.eval()" in str(info.value)


def test_random_numbers_convert_to_jax_bits():
    # Keys become their uint32 data at capture (_keys.py); threefry2x32 lowers to integer ops.
    def noisy(x):
        return x + jax.random.normal(jax.random.key(0), x.shape)

    ok, report = allclose(noisy, to_onnx(noisy, [(3,)]), [(3,)], rtol=1e-6, atol=1e-6)
    assert ok, report


def test_keys_through_a_loop_point_to_their_source():
    def walk(x):
        def step(k, _):
            k, sub = jax.random.split(k)
            return k, jax.random.uniform(sub)

        return x + jax.lax.scan(step, jax.random.key(0), None, length=3)[1]

    with pytest.raises(ConversionError) as info:
        to_onnx(walk, [(3,)])
    assert "test_errors.py" in str(info.value) and "scan" in str(info.value)


def test_keys_that_reach_no_output_are_dropped():
    def eval_dropout_style(x):
        # Keys split and folded, in the program and inside a loop body, none reaching an output.
        k1, _ = jax.random.split(jax.random.key(0))

        def step(c, _):
            jax.random.fold_in(k1, 3)
            return c * 2.0, None

        return jax.lax.scan(step, x, None, length=2)[0]

    model = to_onnx(eval_dropout_style, [(3,)])
    assert [n.op_type for n in model.graph.node] == ["Scan"]


def test_rule_failure_names_primitive_and_line():
    def bad(x):
        return jax.lax.reshape(x, (4, 2), dimensions=(1, 0))  # LINE-RESHAPE

    with pytest.raises(ConversionError) as info:
        to_onnx(bad, [(2, 4)])
    message = str(info.value)
    assert info.value.kind == "lowering_failed"
    assert "reshape" in message and "dimensions" in message
    assert f"test_errors.py:{_line('LINE-RESHAPE')}" in message


@pytest.mark.parametrize(
    "inputs, match",
    [
        ([("B", -1)], "negative"),
        ([("B", 2.5)], "neither an int nor a dimension name"),
        ("B,30", "list of shapes"),
        ([object()], "not a shape tuple"),
    ],
)
def test_bad_input_specs(inputs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        to_onnx(jnp.tanh, inputs)


def test_bad_return_mode_and_missing_path():
    with pytest.raises(ValueError, match="return_mode"):
        to_onnx(jnp.tanh, [(2,)], return_mode="bytes")
    with pytest.raises(ValueError, match="output_path"):
        to_onnx(jnp.tanh, [(2,)], return_mode="file")


def test_input_param_in_python_control_flow_that_cannot_be_fixed():
    def f(x, n):
        return x * n if n > 0 else x

    with pytest.raises(ConversionError, match="Python control flow"):
        to_onnx(f, [(2,)], input_params={"n": jax.ShapeDtypeStruct((), jnp.int32)})


def test_converter_survives_errors():
    with pytest.raises(UnsupportedPrimitiveError):
        to_onnx(program, [(2,)])
    model = to_onnx(lambda x: x * 2.0, [(2,)])
    assert [n.op_type for n in model.graph.node] == ["Mul"]
    np.testing.assert_equal(np.asarray(model.graph.input[0].type.tensor_type.shape.dim[0].dim_value), 2)


def test_scatter_apply_with_a_function_that_is_not_elementwise_says_why():
    # x.at[i].apply(f) lowers f elementwise on tensors; an f that builds arrays cannot be.
    f = lambda x, i: x.at[i].apply(lambda v: jnp.sum(jnp.stack([v, 2 * v])))  # noqa: E731
    with pytest.raises(ConversionError, match=r"apply\(f\) with this f is not supported: it has a value of shape \[2\], not a scalar"):
        to_onnx(f, [(4,), jax.ShapeDtypeStruct((2,), jnp.int32)])
