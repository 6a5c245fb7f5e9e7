"""@onnx_function: calls become ONNX FunctionProto calls, matching JAX in onnxruntime and
onnxruntime-web; same structure and signature share one function; nested calls; an option
inlines them all."""

from collections import Counter

import jax
import jax.numpy as jnp
import numpy as np
import onnx
import pytest
from flax import nnx

from examples.mlp_functions import MLPBlock, MyModel
from examples._example import randomize_batch_norm
from harness import check_conversion
from jax2onnx_lab import onnx_function, to_onnx


def _calls(model: onnx.ModelProto) -> Counter:
    local = {(f.domain, f.name) for f in model.functions}
    return Counter(n.op_type for n in model.graph.node if (n.domain, n.op_type) in local)


def _assert_value_info_inside_functions(model: onnx.ModelProto) -> None:
    for f in model.functions:
        typed = {v.name for v in f.value_info}
        produced = {o for n in f.node for o in n.output} - set(f.output)
        assert produced | set(f.input) <= typed, f"{f.name}: untyped {sorted(produced | set(f.input) - typed)}"


def test_seed_example_two_calls_of_one_function(ort_web):
    model = randomize_batch_norm(MyModel(256, rngs=nnx.Rngs(0)))
    proto = check_conversion(model, [(100, 256)], ort_web=ort_web, atol=1e-4)
    (fn,) = proto.functions
    assert (fn.name, fn.domain) == ("MLPBlock", "jax2onnx_lab.fn")
    assert [(n.name, n.op_type) for n in proto.graph.node] == [("MyModel/block1/MLPBlock", "MLPBlock"), ("MyModel/block2/MLPBlock", "MLPBlock")]
    # The weights are the function's trailing inputs, named inside the block; the calls pass the
    # model's initializers, named by their full module path.
    assert list(fn.input)[:3] == ["in_0", "linear1.kernel", "linear1.bias"]
    assert list(proto.graph.node[1].input)[1:3] == ["block2.linear1.kernel", "block2.linear1.bias"]
    assert {"block1.linear1.kernel", "block2.batchnorm.var"} <= {i.name for i in proto.graph.initializer}
    assert {"jax2onnx_lab.fn": 1}.items() <= {o.domain: o.version for o in proto.opset_import}.items()
    # Nodes inside the body are named by their scope within the block.
    assert any(n.name.startswith("linear1/") for n in fn.node) and "Gelu" in {n.op_type for n in fn.node}
    _assert_value_info_inside_functions(proto)


def test_inline_functions_gives_a_flat_graph(ort_web):
    model = randomize_batch_norm(MyModel(16, rngs=nnx.Rngs(0)))
    flat = to_onnx(model, [("B", 16)], inline_functions=True)
    onnx.checker.check_model(flat, full_check=True)
    assert not flat.functions and {o.domain for o in flat.opset_import} == {""}
    assert any(n.name.startswith("MyModel/block2/linear1/") for n in flat.graph.node)
    nested = to_onnx(model, [("B", 16)])
    assert len(nested.graph.node) == 2
    x = np.random.default_rng(0).normal(size=(3, 16)).astype(np.float32)
    from jax2onnx_lab._parity import run_onnxruntime

    a = run_onnxruntime(flat.SerializeToString(), {"in_0": x})[0]
    b = run_onnxruntime(nested.SerializeToString(), {"in_0": x})[0]
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@onnx_function
def scaled_tanh(x, scale):
    return jnp.tanh(x) * scale


def test_plain_function_reused_per_signature(ort_web):
    def program(x, y):
        # Two calls on f32[B,4] share one function; the call on f32[B,3] needs another.
        return scaled_tanh(x, 2.0) + scaled_tanh(x * 3.0, 2.0), scaled_tanh(y, 2.0)

    proto = check_conversion(program, [("B", 4), ("B", 3)], ort_web=ort_web, dims=[{"B": 1}, {"B": 5}])
    assert sorted(f.name for f in proto.functions) == ["scaled_tanh", "scaled_tanh_2"]
    assert _calls(proto) == {"scaled_tanh": 2, "scaled_tanh_2": 1}
    _assert_value_info_inside_functions(proto)


def test_static_arguments_that_change_the_body_make_another_function(ort_web):
    proto = check_conversion(lambda x: scaled_tanh(x, 2.0) + scaled_tanh(x, 3.0), [(2, 4)], ort_web=ort_web)
    assert len(proto.functions) == 2


class Encoder(nnx.Module):
    def __init__(self, *, rngs):
        self.proj = nnx.Linear(6, 6, rngs=rngs)
        self.norm = nnx.LayerNorm(6, rngs=rngs)

    def __call__(self, x):
        return self.norm(self.proj(x))

    def encode_twice(self, x):
        return self(self(x))


@onnx_function(name="Layer")
class Layer(nnx.Module):
    def __init__(self, *, rngs):
        self.inner = nnx.Linear(6, 6, rngs=rngs)

    def __call__(self, x):
        return scaled_tanh(self.inner(x), 0.5)


class Nested(nnx.Module):
    def __init__(self, *, rngs):
        self.layers = nnx.List([Layer(rngs=rngs) for _ in range(3)])

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def test_nested_functions(ort_web):
    proto = check_conversion(Nested(rngs=nnx.Rngs(0)), [("B", 6)], ort_web=ort_web, dims=[{"B": 2}])
    by_name = {f.name: f for f in proto.functions}
    assert set(by_name) == {"Layer", "scaled_tanh"}
    assert _calls(proto) == {"Layer": 3}
    assert [n.op_type for n in by_name["Layer"].node if n.domain == "jax2onnx_lab.fn"] == ["scaled_tanh"]
    # Callees come first, so a reader meets every function before its callers.
    assert [f.name for f in proto.functions] == ["scaled_tanh", "Layer"]
    assert [n.name for n in proto.graph.node] == ["Nested/layers.0/Layer", "Nested/layers.1/Layer", "Nested/layers.2/Layer"]
    _assert_value_info_inside_functions(proto)


def test_method_of_an_instance(ort_web):
    enc = Encoder(rngs=nnx.Rngs(1))
    encode = onnx_function(enc.__call__)
    proto = check_conversion(lambda x: encode(encode(x)), [("B", 6)], ort_web=ort_web, dims=[{"B": 3}])
    (fn,) = proto.functions
    assert fn.name == "Encoder" and _calls(proto) == {"Encoder": 2}
    other = onnx_function(enc.encode_twice)
    proto = to_onnx(other, [(2, 6)])
    assert [f.name for f in proto.functions] == ["Encoder_encode_twice"]


def test_outside_a_capture_the_callable_runs_as_written():
    x = jnp.ones((2, 4))
    np.testing.assert_array_equal(scaled_tanh(x, 2.0), jnp.tanh(x) * 2.0)
    jaxpr = jax.make_jaxpr(lambda v: scaled_tanh(v, 2.0))(x)
    assert "jit" not in {e.primitive.name for e in jaxpr.jaxpr.eqns}


def test_bad_names_are_refused():
    with pytest.raises(ValueError, match="not a valid ONNX function name"):
        onnx_function(lambda x: x)
    with pytest.raises(ValueError, match="domain"):
        onnx_function(scaled_tanh, domain="my domain")
