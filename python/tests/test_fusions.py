"""Fusions end to end: JAX programs whose converted graphs use ONNX's fused ops, checked against
JAX in onnxruntime and onnxruntime-web (so each fused op is known to run in both)."""

from collections import Counter

import jax
import jax.numpy as jnp
import pytest
from flax import nnx

from examples._example import randomize_batch_norm
from jax2onnx_lab import onnx_function
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


def _equinox_cnn():
    """Equinox's CNN layers on one CHW image (a small copy of examples/cnn_equinox.py)."""
    import equinox as eqx

    k1, k2, k3 = jax.random.split(jax.random.key(3), 3)
    conv1, conv2 = eqx.nn.Conv2d(2, 4, 3, padding=1, key=k1), eqx.nn.Conv2d(4, 6, 3, padding=1, key=k2)
    pool, linear = eqx.nn.AvgPool2d(2, 2), eqx.nn.Linear(6 * 2 * 2, 3, key=k3)

    def f(x):
        x = pool(jax.nn.relu(conv1(x)))
        x = pool(jax.nn.relu(conv2(x)))
        return linear(x.reshape(-1))

    return f


def test_equinox_cnn_layers_fuse_like_flax(ort_web):
    """Conv bias through Equinox's batch Squeeze, Relu next to the Conv, the pool's own and
    Equinox's CHW<->HWC Transposes gone, its * 4 / 4 cancelled, Linear as MatMul (not Einsum)."""
    model = check_conversion(_equinox_cnn(), [(2, 8, 8)], ort_web=ort_web, dims=[{}])
    assert _ops(model) == {"Unsqueeze": 1, "Conv": 2, "Relu": 2, "AveragePool": 2, "Reshape": 1, "MatMul": 1, "Add": 1}
    assert all(len(n.input) == 3 for n in model.graph.node if n.op_type == "Conv")


def _wide(rng, shape, dtype):
    """Values far into both tails (softplus is x or 0 there; exp(-|x|) underflows at -104)."""
    return (rng.normal(size=shape) * 30).astype(dtype)


@pytest.mark.parametrize(
    "name, fn, ops, opset",
    [
        # onnxruntime runs Sigmoid + Mul faster than Swish-24 (bench/activation_forms.py), and fuses the pair itself.
        ("silu", jax.nn.silu, {"Sigmoid": 1, "Mul": 1}, None),
        ("nnx_swish_opset24", nnx.swish, {"Sigmoid": 1, "Mul": 1}, 24),
        ("hand_silu", lambda x: x * jax.nn.sigmoid(x), {"Sigmoid": 1, "Mul": 1}, None),
        # logaddexp(x, 0) without its NaN guard: 7 nodes, faster than ONNX Softplus in onnxruntime.
        ("softplus", jax.nn.softplus, {"Relu": 1, "Abs": 1, "Neg": 1, "Exp": 1, "Log": 1, "Add": 2}, None),
        ("mish", jax.nn.mish, {"Relu": 1, "Abs": 1, "Neg": 1, "Exp": 1, "Log": 1, "Add": 2, "Tanh": 1, "Mul": 1}, None),
        ("logaddexp_2", lambda x: jnp.logaddexp(x, 2.0), {"Max": 1, "Sub": 1, "Abs": 1, "Neg": 1, "Exp": 1, "Log": 1, "Add": 2}, None),
    ],
)
def test_smooth_activations(ort_web, name, fn, ops, opset):
    model = check_conversion(fn, [("B", 7)], ort_web=ort_web, dims=[{"B": 1}, {"B": 9}], opset=opset, sample=_wide)
    assert _ops(model) == ops, f"{name}: {_ops(model)}"


def test_logaddexp_of_two_inputs_keeps_its_guard(ort_web):
    model = check_conversion(jnp.logaddexp, [("B", 3), ("B", 3)], ort_web=ort_web, dims=[{"B": 4}])
    assert _ops(model)["Where"] == 1


class _ConvReluBN(nnx.Module):
    def __init__(self, *, rngs):
        self.conv = nnx.Conv(3, 8, kernel_size=(3, 3), rngs=rngs)
        self.bn = nnx.BatchNorm(8, rngs=rngs)

    def __call__(self, x):
        return self.bn(nnx.relu(self.conv(x)))


class _InputBN(nnx.Module):
    def __init__(self, *, rngs):
        self.bn = nnx.BatchNorm(6, rngs=rngs)

    def __call__(self, x):
        return self.bn(x)


def _linen_conv_relu_bn():
    import flax.linen as nn

    class ConvReluBN(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.BatchNorm(use_running_average=True)(nn.relu(nn.Conv(8, (3, 3))(x)))

    model = ConvReluBN()
    variables = model.init(jax.random.key(0), jnp.zeros((1, 6, 6, 3)))
    stats = jax.tree_util.tree_map(lambda a: jax.random.uniform(jax.random.key(2), a.shape, minval=0.5, maxval=1.5), variables["batch_stats"])
    return lambda x: model.apply({**variables, "batch_stats": stats}, x)


@onnx_function
class _BNBlock(nnx.Module):
    def __init__(self, *, rngs):
        self.linear = nnx.Linear(6, 6, rngs=rngs)
        self.bn = nnx.BatchNorm(6, rngs=rngs)

    def __call__(self, x):
        return self.bn(self.linear(x))


class _TwoBNBlocks(nnx.Module):
    def __init__(self, *, rngs):
        self.block1, self.block2 = _BNBlock(rngs=rngs), _BNBlock(rngs=rngs)

    def __call__(self, x):
        return self.block2(self.block1(x))


@pytest.mark.parametrize(
    "name, build, spec",
    [
        # NHWC in Flax; sink-transposes moves the BatchNorm into the Conv's NCHW, channel axis 1.
        ("nnx_conv_relu_bn", lambda: randomize_batch_norm(_ConvReluBN(rngs=nnx.Rngs(0))), ("B", 6, 6, 3)),
        ("linen_conv_relu_bn", _linen_conv_relu_bn, ("B", 6, 6, 3)),
        ("nnx_bn_on_input", lambda: randomize_batch_norm(_InputBN(rngs=nnx.Rngs(0))), ("B", 6)),
    ],
)
def test_batch_norm_that_cannot_fold_is_one_batch_normalization(ort_web, name, build, spec):
    model = check_conversion(build(), [spec], ort_web=ort_web, dims=[{"B": 1}, {"B": 3}], atol=1e-4)
    ops = _ops(model)
    assert ops["BatchNormalization"] == 1 and not {"Sub", "Mul", "Add", "Sqrt", "Reciprocal"} & set(ops), f"{name}: {ops}"


def test_batch_norm_inside_a_function_is_batch_normalization_on_its_inputs(ort_web):
    model = check_conversion(randomize_batch_norm(_TwoBNBlocks(rngs=nnx.Rngs(0))), [("B", 6)], ort_web=ort_web, dims=[{"B": 4}], atol=1e-4)
    (fn,) = model.functions
    assert [n.op_type for n in fn.node] == ["Gemm", "BatchNormalization"]
    assert list(fn.node[1].input[1:]) == ["bn.scale", "bn.bias", "bn.mean", "bn.var"]


def test_batch_norm_on_a_nhwc_input_stays_spelled_out(ort_web):
    """Channels last, nothing before it to move them to axis 1: no BatchNormalization (it would need two Transposes)."""
    class NHWC(nnx.Module):
        def __init__(self, *, rngs):
            self.bn = nnx.BatchNorm(4, rngs=rngs)

        def __call__(self, x):
            return self.bn(x)

    model = check_conversion(randomize_batch_norm(NHWC(rngs=nnx.Rngs(0))), [("B", 3, 3, 4)], ort_web=ort_web, dims=[{"B": 2}], atol=1e-4)
    assert "BatchNormalization" not in _ops(model)


def test_batch_norm_in_float64(ort_web):
    with jax.enable_x64(True):
        bn = nnx.BatchNorm(6, dtype=jnp.float64, param_dtype=jnp.float64, use_running_average=True, rngs=nnx.Rngs(0))
        bn.mean.set_value(jnp.linspace(-0.5, 0.5, 6, dtype=jnp.float64))
        bn.var.set_value(jnp.linspace(0.5, 1.5, 6, dtype=jnp.float64))
        bn.scale.set_value(jnp.linspace(0.8, 1.3, 6, dtype=jnp.float64))
    model = check_conversion(bn, [("B", 6)], ort_web=ort_web, dims=[{"B": 3}], x64=True, atol=1e-10, rtol=1e-10)
    assert _ops(model)["BatchNormalization"] == 1


class _ReluBNLinear(nnx.Module):
    def __init__(self, *, rngs):
        self.bn = nnx.BatchNorm(6, rngs=rngs)
        self.linear = nnx.Linear(6, 3, rngs=rngs)

    def __call__(self, x):
        return self.linear(self.bn(nnx.relu(x)))


def test_batch_norm_before_a_linear_folds_into_it(ort_web):
    model = check_conversion(randomize_batch_norm(_ReluBNLinear(rngs=nnx.Rngs(0))), [("B", 6)], ort_web=ort_web, dims=[{"B": 1}, {"B": 4}], atol=1e-4)
    assert _ops(model) == {"Relu": 1, "Gemm": 1}, _ops(model)
    assert {"linear.kernel", "linear.bias"} <= {i.name for i in model.graph.initializer}


def test_mlp_block_function_is_the_five_ops_of_the_block(ort_web):
    """examples/mlp_functions.py: Gelu -> BatchNorm -> Linear inside the function, the weights function
    inputs: one BatchNormalization on them (no forward fold, which would leave weight products as nodes)."""
    from examples.mlp_functions import EXAMPLE

    model = check_conversion(EXAMPLE.build(), [(4, 256)], ort_web=ort_web, atol=1e-4)
    (fn,) = model.functions
    assert [n.op_type for n in fn.node] == ["Gemm", "Gelu", "BatchNormalization", "Gemm", "Gelu"]


def _sample_attention(rng, shape, dtype):
    """Float inputs as usual; a boolean mask with key 0 always attended (ONNX Attention gives 0
    for a query row whose every key is masked, where JAX gives the mean of V or NaN)."""
    if dtype == jnp.bool_:
        mask = rng.random(shape) < 0.6
        mask[..., 0] = True
        return mask
    return rng.standard_normal(shape).astype(dtype)


_sample_attention.all_dtypes = True


def _hand_attention(mask_form):
    """softmax(q kᵀ / sqrt(d) [masked]) v on [B, H, S, D], as examples/gpt.py writes it."""

    def f(q, k, v, *mask):
        s = q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(q.shape[-1]).astype(q.dtype)
        if mask_form == "causal":
            t = q.shape[2]
            s = jnp.where(jnp.tril(jnp.ones((t, t), dtype=bool)), s, -jnp.inf)
        elif mask_form == "padding":
            s = jnp.where(mask[0], s, -1e9)
        elif mask_form == "bias":
            s = s + jnp.where(mask[0], 0.0, -1e9).astype(q.dtype)
        return jax.nn.softmax(s, axis=-1) @ v

    return f


_B, _T = jax.export.symbolic_shape("B")[0], jax.export.symbolic_shape("T")[0]
_QKV = [jax.ShapeDtypeStruct((_B, 2, _T, 8), jnp.float32)] * 3
_KEY_PADDING = jax.ShapeDtypeStruct((_B, 1, 1, _T), jnp.bool_)


@pytest.mark.parametrize(
    "name, fn, inputs, extra, causal",
    [
        ("no_mask", _hand_attention(None), _QKV, {}, 0),
        # jnp.tril's mask is recognised: is_causal, and the mask's ops are gone.
        ("causal_tril", _hand_attention("causal"), _QKV, {}, 1),
        ("key_padding_mask", _hand_attention("padding"), [*_QKV, _KEY_PADDING], {"Expand": 1}, 0),
        ("additive_mask", _hand_attention("bias"), [*_QKV, _KEY_PADDING], {}, 0),
    ],
)
def test_attention_fuses_at_opset_23(ort_web, name, fn, inputs, extra, causal):
    model = check_conversion(fn, inputs, ort_web=ort_web, dims=[{"B": 1, "T": 3}, {"B": 2, "T": 6}], opset=23, sample=_sample_attention, atol=1e-5)
    ops = _ops(model)
    assert ops["Attention"] == 1 and not {"Softmax", "MatMul"} & set(ops), f"{name}: {ops}"
    for op, n in extra.items():
        assert ops[op] == n, f"{name}: {ops}"
    (attention,) = [n for n in model.graph.node if n.op_type == "Attention"]
    assert {a.name: a.i for a in attention.attribute}.get("is_causal", 0) == causal, name
    if causal:
        assert len(attention.input) == 3 and len(model.graph.node) == 1, ops


def test_attention_float64_keeps_double_precision(ort_web):
    """onnxruntime scales float64 Attention at float32 precision: the scale goes onto Q."""
    model = check_conversion(_hand_attention("causal"), [(2, 2, 5, 8)] * 3, ort_web=ort_web, opset=23, x64=True, rtol=1e-12, atol=1e-12)
    assert _ops(model)["Attention"] == 1


def test_attention_not_below_opset_23(ort_web):
    model = check_conversion(_hand_attention("causal"), _QKV, ort_web=ort_web, dims=[{"B": 1, "T": 4}])
    assert "Attention" not in _ops(model) and _ops(model)["Softmax"] == 1


@pytest.mark.parametrize("example", ["vit_tiny", "gpt"])
def test_examples_attention_blocks_fuse_at_opset_23(ort_web, example):
    import importlib

    ex = importlib.import_module(f"examples.{example}").EXAMPLE
    model = check_conversion(ex.build(), ex.inputs, ort_web=ort_web, dims=ex.dims, opset=23, atol=ex.atol, rtol=ex.rtol, sample=ex.sample)
    ops = _ops(model)
    assert ops["Attention"] == 2 and "Softmax" not in ops, ops
    attentions = [n for n in model.graph.node if n.op_type == "Attention"]
    assert all(n.name.startswith(("ViT/blocks.", "GPT/blocks.")) for n in attentions)
    # gpt's jnp.tril mask becomes is_causal (no mask input); vit has none.
    assert all(len(n.input) == 3 and {a.name: a.i for a in n.attribute}.get("is_causal", 0) == (example == "gpt") for n in attentions)


_BTNH = [jax.ShapeDtypeStruct((_B, _T, 2, 8), jnp.float32)] * 3
_DPA_KEY_PADDING = jax.ShapeDtypeStruct((_B, 1, 1, _T), jnp.bool_)


@pytest.mark.parametrize(
    "name, fn, inputs, causal, mask_input",
    [
        ("dpa", lambda q, k, v: jax.nn.dot_product_attention(q, k, v), _BTNH, 0, False),
        ("dpa_is_causal", lambda q, k, v: jax.nn.dot_product_attention(q, k, v, is_causal=True), _BTNH, 1, False),
        ("dpa_padding_mask", lambda q, k, v, m: jax.nn.dot_product_attention(q, k, v, mask=m), [*_BTNH, _DPA_KEY_PADDING], 0, True),
        ("dpa_scale_and_bias", lambda q, k, v, m: jax.nn.dot_product_attention(q, k, v, bias=jnp.where(m, 0.0, -1e9), scale=0.3), [*_BTNH, _DPA_KEY_PADDING], 0, True),
        # is_causal with a padding mask: the two combined (And) pass as one boolean mask.
        ("dpa_causal_and_padding", lambda q, k, v, m: jax.nn.dot_product_attention(q, k, v, mask=m, is_causal=True), [*_BTNH, _DPA_KEY_PADDING], 0, True),
    ],
)
def test_dot_product_attention_fuses_at_opset_23(ort_web, name, fn, inputs, causal, mask_input):
    model = check_conversion(fn, inputs, ort_web=ort_web, dims=[{"B": 1, "T": 3}, {"B": 2, "T": 6}], opset=23, sample=_sample_attention, atol=1e-5)
    ops = _ops(model)
    assert ops["Attention"] == 1 and not {"Softmax", "Einsum", "MatMul"} & set(ops), f"{name}: {ops}"
    (attention,) = [n for n in model.graph.node if n.op_type == "Attention"]
    assert {a.name: a.i for a in attention.attribute}.get("is_causal", 0) == causal, name
    assert (len(attention.input) == 4) == mask_input, name
    if not mask_input:
        # Q, K, V [B, T, N, H] in 3-D as [B, T, N*H] and the result back: four Reshapes, nothing else.
        assert ops == {"Attention": 1, "Reshape": 4}, f"{name}: {ops}"


def test_dot_product_attention_softmax_fuses_at_the_default_opset(ort_web):
    """Its softmax subtracts the max from a transposed copy of the logits: still one Softmax."""
    model = check_conversion(lambda q, k, v: jax.nn.dot_product_attention(q, k, v), _BTNH, ort_web=ort_web, dims=[{"B": 2, "T": 5}])
    ops = _ops(model)
    assert ops["Softmax"] == 1 and not {"Exp", "ReduceMax", "ReduceSum"} & set(ops), ops


def _sample_padding(rng, shape, dtype):
    """Floats as usual; token masks with padding (rows of padded queries are fully masked)."""
    if dtype == jnp.bool_:
        mask = rng.random(shape) < 0.6
        mask[..., 0] = True
        mask[..., -1] = False
        return mask
    return rng.standard_normal(shape).astype(dtype)


_sample_padding.all_dtypes = True


@pytest.mark.parametrize("mask", [None, "causal", "padding"])
def test_nnx_multi_head_attention_fuses_at_opset_23(ort_web, mask):
    """flax.nnx.MultiHeadAttention (jax.nn.dot_product_attention inside). Its padding mask
    masks padded queries' whole rows, where JAX gives the mean of V: the mask passes as a float
    mask with JAX's own fill, which reproduces that (a boolean one would give 0)."""
    mha = nnx.MultiHeadAttention(num_heads=2, in_features=8, qkv_features=16, decode=False, rngs=nnx.Rngs(0))
    x = jax.ShapeDtypeStruct((_B, _T, 8), jnp.float32)
    if mask is None:
        fn, inputs = (lambda x: mha(x)), [x]
    elif mask == "causal":
        fn, inputs = (lambda x: mha(x, mask=nnx.make_causal_mask(x[..., 0]))), [x]
    else:
        fn, inputs = (lambda x, m: mha(x, mask=nnx.make_attention_mask(m, m))), [x, jax.ShapeDtypeStruct((_B, _T), jnp.bool_)]
    model = check_conversion(fn, inputs, ort_web=ort_web, dims=[{"B": 1, "T": 3}, {"B": 2, "T": 6}], opset=23, sample=_sample_padding, atol=1e-5)
    ops = _ops(model)
    assert ops["Attention"] == 1 and "Softmax" not in ops, ops
    (attention,) = [n for n in model.graph.node if n.op_type == "Attention"]
    assert len(attention.input) == (3 if mask is None else 4)
