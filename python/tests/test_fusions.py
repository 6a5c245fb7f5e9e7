"""Fusions end to end: JAX programs whose converted graphs use ONNX's fused ops, checked against
JAX in onnxruntime and onnxruntime-web (so each fused op is known to run in both)."""

from collections import Counter

import jax
import jax.numpy as jnp
import pytest
from flax import nnx

from examples._example import randomize_batch_norm
from harness import check_conversion


def _ops(model) -> Counter:
    return Counter(n.op_type for n in model.graph.node)


@pytest.mark.parametrize(
    "name, fn, ops",
    [
        ("relu", jax.nn.relu, {"Relu": 1}),
        ("relu6", jax.nn.relu6, {"Clip": 1}),
        ("clip", lambda x: jnp.clip(x, -0.5, 0.25), {"Clip": 1}),
        ("leaky_relu", lambda x: jax.nn.leaky_relu(x, 0.1), {"LeakyRelu": 1}),
        ("hard_swish", jax.nn.hard_swish, {"HardSwish": 1}),
    ],
)
def test_activations(ort_web, name, fn, ops):
    model = check_conversion(fn, [("B", 7)], ort_web=ort_web, dims=[{"B": 1}, {"B": 4}])
    assert _ops(model) == ops, name


class ConvBN(nnx.Module):
    def __init__(self, *, rngs):
        self.conv = nnx.Conv(3, 8, kernel_size=(3, 3), rngs=rngs)
        self.bn = nnx.BatchNorm(8, rngs=rngs)
        self.linear = nnx.Linear(8, 4, rngs=rngs)
        self.bn2 = nnx.BatchNorm(4, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.bn(self.conv(x)))
        x = jnp.mean(x, axis=(1, 2))
        return self.bn2(self.linear(x))


def test_batchnorm_folds_into_conv_and_linear(ort_web):
    model = check_conversion(randomize_batch_norm(ConvBN(rngs=nnx.Rngs(0))), [("B", 6, 6, 3)], ort_web=ort_web, dims=[{"B": 2}], atol=1e-4)
    ops = _ops(model)
    assert ops["Conv"] == 1 and ops["Relu"] == 1 and ops["Gemm"] == 1
    assert not {"BatchNormalization", "Sub", "Max", "Add"} & set(ops), ops
    names = {i.name for i in model.graph.initializer}
    assert {"conv.kernel", "conv.bias", "linear.kernel", "linear.bias"} <= names
    assert any(n.name.startswith("ConvBN/conv/Conv") for n in model.graph.node)


def _hand_layer_norm(x, eps=1e-5):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.var(x, axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * 1.5 + 0.25


def _equinox_layer_norm():
    import equinox as eqx

    return jax.vmap(eqx.nn.LayerNorm(8))


@pytest.mark.parametrize(
    "name, build, ops, opset",
    [
        ("nnx_layer_norm", lambda: nnx.LayerNorm(8, rngs=nnx.Rngs(0)), {"LayerNormalization": 1}, None),
        ("equinox_layer_norm", _equinox_layer_norm, {"LayerNormalization": 1}, None),
        ("hand_written_layer_norm", lambda: _hand_layer_norm, {"LayerNormalization": 1}, None),
        ("softmax", lambda: lambda x: jax.nn.softmax(x, axis=-1), {"Softmax": 1}, None),
        ("softmax_axis0", lambda: lambda x: jax.nn.softmax(x, axis=0), {"Softmax": 1}, None),
        ("log_softmax", lambda: lambda x: jax.nn.log_softmax(x, axis=-1), {"LogSoftmax": 1}, None),
        ("rms_norm", lambda: nnx.RMSNorm(8, rngs=nnx.Rngs(0)), {"RMSNormalization": 1}, 23),
    ],
)
def test_normalizations_and_softmax(ort_web, name, build, ops, opset):
    model = check_conversion(build(), [("B", 8)], ort_web=ort_web, dims=[{"B": 1}, {"B": 5}], opset=opset, atol=1e-5)
    assert _ops(model) == ops, f"{name}: {_ops(model)}"


def test_layer_norm_below_opset_17_stays_spelled_out(ort_web):
    model = check_conversion(nnx.LayerNorm(8, rngs=nnx.Rngs(0)), [("B", 8)], ort_web=ort_web, dims=[{"B": 3}], opset=16)
    assert "LayerNormalization" not in _ops(model)
