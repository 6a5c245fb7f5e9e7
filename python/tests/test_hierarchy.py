"""Module paths in node names, node metadata and initializer names, for every framework users
export from: Flax NNX, Flax Linen (lifted nn.scan / nn.remat / nn.vmap too), Equinox, Haiku and
Keras 3 on the JAX backend. Each model is also checked against JAX (onnxruntime, onnxruntime-web)."""

import functools
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import numpy as np
import onnx
import pytest

from harness import check_conversion


def _scopes(model: onnx.ModelProto) -> set[str]:
    return {m.value for n in model.graph.node for m in n.metadata_props if m.key == "jax2onnx_lab.scope"}


def _names(model: onnx.ModelProto) -> tuple[list[str], set[str]]:
    return [n.name for n in model.graph.node], {i.name for i in model.graph.initializer}


def _perturb(tree, seed=0):
    """Random values in place of initial ones (zero biases hide wiring mistakes)."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    rng = np.random.default_rng(seed)
    return jax.tree_util.tree_unflatten(treedef, [jnp.asarray(rng.normal(size=x.shape) * 0.5, dtype=x.dtype) for x in leaves])


def test_flax_linen(ort_web):
    import flax.linen as nn

    class Block(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.gelu(nn.Dense(8, name="proj")(nn.LayerNorm(name="norm")(x)))

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = Block(name="block1")(x)
            x = nn.remat(Block)(name="block2")(x)
            return nn.Dense(3, name="head")(x)

    net = Net()
    variables = _perturb(net.init(jax.random.key(0), jnp.ones((1, 8))))
    model = check_conversion(functools.partial(net.apply, variables), [("B", 8)], ort_web=ort_web, dims=[{"B": 2}])
    nodes, inits = _names(model)
    assert {"block1.proj.kernel", "block1.norm.scale", "block2.proj.bias", "head.kernel"} <= inits
    assert any(n.startswith("Net/block1/proj/") for n in nodes) and any(n.startswith("Net/block2/") for n in nodes)
    assert {"Net/block1/norm", "Net/head"} <= _scopes(model)


def test_flax_linen_scan_and_vmap(ort_web):
    import flax.linen as nn

    class Cell(nn.Module):
        @nn.compact
        def __call__(self, c, x):
            c = jnp.tanh(nn.Dense(4, name="mix")(c) + x)
            return c, c

    class Seq(nn.Module):
        @nn.compact
        def __call__(self, xs):
            scan = nn.scan(Cell, variable_broadcast="params", split_rngs={"params": False}, in_axes=1, out_axes=1)
            _, ys = scan(name="cell")(jnp.zeros((xs.shape[0], 4)), xs)
            per_row = nn.vmap(nn.Dense, variable_axes={"params": None}, split_rngs={"params": False}, in_axes=0)(2, name="rows")
            return per_row(ys)

    seq = Seq()
    variables = _perturb(seq.init(jax.random.key(0), jnp.ones((2, 5, 4))))
    model = check_conversion(functools.partial(seq.apply, variables), [(2, 5, 4)], ort_web=ort_web)
    nodes, inits = _names(model)
    assert {"cell.mix.kernel", "rows.kernel"} <= inits
    assert any(n.startswith("Seq/rows/") for n in nodes)
    # The scan body's nodes carry the cell's path too.
    bodies = [a.g for n in model.graph.node for a in n.attribute if a.type == onnx.AttributeProto.GRAPH]
    assert any(m.value.endswith("mix") for g in bodies for n in g.node for m in n.metadata_props if m.key == "jax2onnx_lab.scope")


def test_equinox(ort_web):
    from example_models import equinox_net

    model = check_conversion(jax.vmap(equinox_net(jax.random.key(0))), [("B", 8)], ort_web=ort_web, dims=[{"B": 3}])
    nodes, inits = _names(model)
    assert {"blocks.0.lin.weight", "blocks.1.norm.bias", "head.weight"} <= inits
    assert any(n.startswith("Net/blocks.1/lin/") for n in nodes)


def test_haiku(ort_web):
    import haiku as hk

    def forward(x):
        return hk.nets.MLP([16, 4], name="mlp")(x)

    f = hk.without_apply_rng(hk.transform(forward))
    params = _perturb(f.init(jax.random.key(0), jnp.ones((1, 8))))
    model = check_conversion(lambda x: f.apply(params, x), [("B", 8)], ort_web=ort_web, dims=[{"B": 2}])
    nodes, inits = _names(model)
    assert {"mlp.linear_0.w", "mlp.linear_0.b", "mlp.linear_1.w"} <= inits
    assert nodes == ["mlp/linear_0/Gemm", "mlp/Relu", "mlp/linear_1/Gemm"]


def test_keras(ort_web):
    import keras

    model_k = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="relu", name="hidden"), keras.layers.LayerNormalization(name="norm"), keras.layers.Dense(4, name="head")],
        name="classifier",
    )
    for w in model_k.weights:
        w.assign(np.random.default_rng(0).normal(size=w.shape).astype("float32") * 0.5)
    model = check_conversion(model_k, [("B", 8)], ort_web=ort_web, dims=[{"B": 2}], atol=1e-4)
    nodes, inits = _names(model)
    assert {"classifier.hidden.kernel", "classifier.norm.gamma", "classifier.head.bias"} <= inits
    assert any(n.startswith("classifier/hidden/") for n in nodes) and any(n.startswith("classifier/norm/") for n in nodes)
    assert "LayerNormalization" in {n.op_type for n in model.graph.node}


@pytest.mark.parametrize("framework", ["linen", "haiku"])
def test_weights_named_from_a_partial_or_a_closure(framework):
    from jax2onnx_lab import to_onnx

    if framework == "linen":
        import flax.linen as nn

        m = nn.Dense(3)
        v = m.init(jax.random.key(0), jnp.ones((1, 4)))
        fns = [functools.partial(m.apply, v), lambda x: m.apply(v, x)]
        want = {"kernel", "bias"}
    else:
        import haiku as hk

        f = hk.without_apply_rng(hk.transform(lambda x: hk.Linear(3, name="lin")(x)))
        p = f.init(jax.random.key(0), jnp.ones((1, 4)))
        fns = [functools.partial(f.apply, p), lambda x: f.apply(p, x)]
        want = {"lin.w", "lin.b"}
    for fn in fns:
        assert want <= {i.name for i in to_onnx(fn, [(2, 4)]).graph.initializer}
