"""The foundation's example models, converted and compared with JAX in onnxruntime (Python)
and onnxruntime-web (wasm, in Node)."""

from collections import Counter

import jax
import numpy as np
import onnx
import pytest
from flax import nnx

from example_models import CNN, MLP, MyModel, eval_mode
from harness import check_conversion


def _ops(model: onnx.ModelProto) -> Counter:
    return Counter(n.op_type for n in model.graph.node)


def _nonzero_running_stats(model: nnx.Module, seed: int = 1) -> nnx.Module:
    """BatchNorm starts at mean 0 / var 1, which hides mistakes in its lowering; randomize them."""
    rng = np.random.default_rng(seed)
    for _, m in nnx.iter_modules(model):
        if isinstance(m, nnx.BatchNorm):
            n = m.mean.get_value().shape
            m.mean.set_value(jax.numpy.asarray(rng.normal(size=n), dtype="float32"))
            m.var.set_value(jax.numpy.asarray(rng.uniform(0.5, 2.0, size=n), dtype="float32"))
            m.scale.set_value(jax.numpy.asarray(rng.normal(size=n), dtype="float32"))
            m.bias.set_value(jax.numpy.asarray(rng.normal(size=n), dtype="float32"))
    return model


@pytest.mark.parametrize("approximate", [True, False], ids=["gelu_tanh", "gelu_exact"])
def test_seed_mlp_symbolic_batch(ort_web, approximate):
    model = _nonzero_running_stats(eval_mode(MLP(30, 20, 10, rngs=nnx.Rngs(0), approximate=approximate)))
    onnx_model = check_conversion(model, [("B", 30)], ort_web=ort_web, dims=[{"B": 1}, {"B": 4}, {"B": 17}])
    (inp,), (out,) = onnx_model.graph.input, onnx_model.graph.output
    assert [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim] == ["B", 30]
    assert [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim] == ["B", 10]
    # JAX's gelu formula becomes ONNX's Gelu (opset >= 20), with the matching approximation.
    (gelu,) = [n for n in onnx_model.graph.node if n.op_type == "Gelu"]
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in gelu.attribute}
    assert attrs.get("approximate", b"none") == (b"tanh" if approximate else b"none")
    # Weights keep their module names; module scopes prefix the node names. The BatchNorm folds
    # into linear1's weight and bias (which keep their names): two Gemms around one Gelu.
    assert {"linear1.kernel", "linear1.bias", "linear2.bias"} <= {i.name for i in onnx_model.graph.initializer}
    assert [n.op_type for n in onnx_model.graph.node] == ["Gemm", "Gelu", "Gemm"]
    assert any(n.name.startswith("MLP/linear1/") for n in onnx_model.graph.node)


def test_seed_mymodel_static(ort_web):
    model = _nonzero_running_stats(eval_mode(MyModel(256, rngs=nnx.Rngs(0))))
    onnx_model = check_conversion(model, [(100, 256)], ort_web=ort_web, atol=1e-4)
    # Each Linear is one Gemm (MatMul + bias fused).
    assert _ops(onnx_model)["Gemm"] == 4 and "MatMul" not in _ops(onnx_model)
    scopes = {m.value for n in onnx_model.graph.node for m in n.metadata_props if m.key == "jax2onnx_lab.scope"}
    assert {"MyModel/block1/linear1", "MyModel/block2/batchnorm"} <= scopes


def test_mnist_cnn(ort_web):
    model = CNN(rngs=nnx.Rngs(0))
    onnx_model = check_conversion(model, [("B", 28, 28, 1)], ort_web=ort_web, dims=[{"B": 1}, {"B": 5}], atol=1e-5)
    ops = _ops(onnx_model)
    assert ops["Conv"] == 2 and ops["AveragePool"] == 2
    # NHWC in and out of the graph, NCHW inside: one Transpose at the input, one before the
    # flatten (whose element order is NHWC's); the pairs around each conv/pool cancel.
    assert ops["Transpose"] == 2
    # avg_pool's sum-then-divide is one AveragePool: no Mul/Div left from the pooling.
    assert "Div" not in ops and "Mul" not in ops
    kernels = {i.name: list(i.dims) for i in onnx_model.graph.initializer}
    # Flax HWIO kernels are stored as ONNX OIHW: the transpose is folded into the weight.
    assert kernels["conv1.kernel"] == [32, 1, 3, 3] and kernels["conv2.kernel"] == [64, 32, 3, 3]


def test_capturing_a_flax_model_warns_about_nothing_of_ours():
    """Our own reads of the model (weight names, module scopes) use no deprecated Flax API: a
    warning there would show in the user's notebook on every conversion."""
    import warnings

    from jax2onnx_lab._capture import capture

    model = eval_mode(MyModel(16, rngs=nnx.Rngs(0)))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cap = capture(model, [("B", 16)])
    ours = [f"{w.filename}:{w.lineno}: {w.message}" for w in seen if "jax2onnx_lab" in w.filename]
    assert not ours, ours
    assert {"block1.linear1.kernel", "block2.batchnorm.scale"} <= {b["name"] for b in cap.header["buffers"]}


def test_every_intermediate_has_value_info():
    from jax2onnx_lab import to_onnx

    model = to_onnx(CNN(rngs=nnx.Rngs(0)), [("B", 28, 28, 1)])
    produced = {o for n in model.graph.node for o in n.output}
    outputs = {o.name for o in model.graph.output}
    typed = {v.name for v in model.graph.value_info}
    assert produced - outputs == typed
    # Our shapes agree with ONNX's own shape inference wherever it knows a static size.
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    ours = {v.name: v.type.tensor_type for v in model.graph.value_info}
    for v in inferred.graph.value_info:
        t = v.type.tensor_type
        assert t.elem_type == ours[v.name].elem_type, v.name
        for a, b in zip(t.shape.dim, ours[v.name].shape.dim, strict=True):
            if a.HasField("dim_value") and b.HasField("dim_value"):
                assert a.dim_value == b.dim_value, v.name


@pytest.mark.parametrize("approximate", [True, False], ids=["gelu_tanh", "gelu_exact"])
def test_seed_mlp_before_opset_20_keeps_gelu_spelled_out(ort_web, approximate):
    model = _nonzero_running_stats(eval_mode(MLP(30, 20, 10, rngs=nnx.Rngs(0), approximate=approximate)))
    onnx_model = check_conversion(model, [("B", 30)], ort_web=ort_web, dims=[{"B": 3}], opset=18)
    ops = _ops(onnx_model)
    assert "Gelu" not in ops and ("Tanh" in ops) == approximate and ("Erf" in ops) != approximate


def test_equinox_model_batched_with_vmap(ort_web):
    from example_models import equinox_net

    net = equinox_net(jax.random.key(0))
    batched = jax.vmap(net)
    onnx_model = check_conversion(batched, [("B", 8)], ort_web=ort_web, dims=[{"B": 1}, {"B": 6}])
    assert "Gelu" in _ops(onnx_model)
    # The module behind jax.vmap / a lambda still names weights (Equinox field paths) and scopes.
    from jax2onnx_lab import to_onnx

    for fn in (net, batched, lambda x: net(x)):
        converted = to_onnx(fn, [("B", 8)] if fn is batched else [(8,)])
        assert {"blocks.0.lin.weight", "blocks.1.norm.bias", "head.weight"} <= {i.name for i in converted.graph.initializer}
        assert any(n.name.startswith("Net/blocks.1/lin/") for n in converted.graph.node)
