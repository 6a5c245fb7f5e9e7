"""What makes a repeated conversion cheap: a second capture of the same model hits JAX's trace
caches and looks up no file path again. Counts, not times (no timing assertions in tests)."""

import os

import jax.numpy as jnp
from flax import nnx
from jax._src import pjit

from example_models import MyModel, eval_mode
from jax2onnx_lab._capture import capture
from jax2onnx_lab._inputs import input_specs


def test_equal_specs_give_the_same_symbolic_dims():
    first, second = input_specs([("B", 30), ("B", "T")]), input_specs([("B", 30), ("B", "T")])
    assert first[0].shape[0] is second[0].shape[0]  # the same object, so JAX's caches match
    assert first[0].shape[0] == first[1].shape[0]  # one scope across the inputs: B is B
    assert input_specs([("C", 30)])[0].shape[0] != first[0].shape[0]


def test_second_capture_reuses_the_traces_of_the_first():
    """Only the wrapper around the user's callable is traced again (it is a new function per
    capture); every jitted jnp function the model calls comes from JAX's cache."""
    model = eval_mode(MyModel(16, rngs=nnx.Rngs(0)))
    capture(model, [("B", 16)])
    before = pjit._infer_params_cached.cache_info().misses
    capture(model, [("B", 16)])
    assert pjit._infer_params_cached.cache_info().misses - before <= 1


def test_second_capture_resolves_no_path(monkeypatch):
    def model(x):
        return jnp.tanh(x) * 2 + jnp.sin(x)

    capture(model, [("B", 4)])
    calls = []
    real = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    header = capture(model, [("B", 4)]).header
    assert calls == []
    # The source lines are still found: the user's file and line, not the library's.
    assert all(header["files"][e["src"]["file"]] == __file__ for e in header["jaxpr"]["eqns"])
