"""The public API: to_onnx's inputs, return modes and options; the Node CLI."""

import subprocess

import jax
import jax.numpy as jnp
import numpy as np
import onnx
import onnx_ir
import pytest
from flax import nnx

from example_models import CNN, MyModel, eval_mode
from harness import ROOT, check_conversion
from jax2onnx_lab import allclose, to_onnx
from jax2onnx_lab._capture import capture
from jax2onnx_lab._node import bundle_path, find_node


def _dims(value_info) -> list:
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def test_return_modes_give_the_same_model(tmp_path):
    model = eval_mode(MyModel(64, rngs=nnx.Rngs(0)))
    proto = to_onnx(model, [("B", 64)])
    path = to_onnx(model, [("B", 64)], return_mode="file", output_path=tmp_path / "m.onnx")
    ir_model = to_onnx(model, [("B", 64)], return_mode="ir")
    assert path == str(tmp_path / "m.onnx")
    # Same message (our writer orders fields differently from protobuf's own serializer).
    assert onnx.load(path) == proto
    assert isinstance(ir_model, onnx_ir.Model)
    assert [n.op_type for n in ir_model.graph] == [n.op_type for n in proto.graph.node]
    assert sorted(ir_model.graph.initializers) == sorted(i.name for i in proto.graph.initializer)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]  # no temp file left


def test_big_weights_are_streamed_by_the_host(tmp_path):
    """Weights over the inline limit never go to Node: the host writes them, transposed if asked."""
    model = CNN(rngs=nnx.Rngs(0))
    cap = capture(model, [("B", 28, 28, 1)])
    host = [b["name"] for b in cap.header["buffers"] if b["storage"] == "host"]
    assert {"conv2.kernel", "linear1.kernel"} <= set(host)
    path = tmp_path / "cnn.onnx"
    to_onnx(model, [("B", 28, 28, 1)], return_mode="file", output_path=path)
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
    # conv2.kernel is HWIO in Flax and OIHW in the file, transposed on the way to disk.
    np.testing.assert_array_equal(weights["conv2.kernel"], np.transpose(np.asarray(model.conv2.kernel.get_value()), (3, 2, 0, 1)))
    np.testing.assert_array_equal(weights["linear1.kernel"], np.asarray(model.linear1.kernel.get_value()))
    ok, report = allclose(model, path, [("B", 28, 28, 1)], dims={"B": 2})
    assert ok, report


def test_shape_dtype_struct_and_shared_symbolic_dims(ort_web):
    def f(x, n, y):
        return x * n.astype(x.dtype).sum(), x + y

    specs = [("B", 3), jax.ShapeDtypeStruct((4,), jnp.int32), ("B", 3)]
    model = check_conversion(f, specs, ort_web=ort_web, dims=[{"B": 5}, {"B": 9}])
    assert [_dims(i) for i in model.graph.input] == [["B", 3], [4], ["B", 3]]
    assert model.graph.input[1].type.tensor_type.elem_type == onnx.TensorProto.INT32


def test_pytree_outputs_and_passthrough(ort_web):
    def f(x, y):
        return {"sum": x + y, "same": x, "again": x + y}

    model = check_conversion(f, [(2, 3), (2, 3)], ort_web=ort_web)
    assert [o.name for o in model.graph.output] == ["out_0", "out_1", "out_2"]


def test_input_params_are_runtime_scalars(ort_web):
    def f(x, *, scale, shift):
        return x * scale + shift

    model = check_conversion(f, [("B", 4)], input_params={"scale": 3.0, "shift": np.int32(2)}, ort_web=ort_web, dims=[{"B": 2}])
    assert [i.name for i in model.graph.input] == ["in_0", "scale", "shift"]
    assert model.graph.input[2].type.tensor_type.elem_type == onnx.TensorProto.INT32
    # The value is an input, not a constant: a different scale gives a different result.
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString())
    x = np.ones((1, 4), np.float32)
    (a,) = session.run(None, {"in_0": x, "scale": np.asarray(3.0, np.float32), "shift": np.asarray(2, np.int32)})
    (b,) = session.run(None, {"in_0": x, "scale": np.asarray(5.0, np.float32), "shift": np.asarray(2, np.int32)})
    np.testing.assert_allclose(a, 5.0)
    np.testing.assert_allclose(b, 7.0)


def test_model_name_opset_and_producer():
    model = to_onnx(jnp.tanh, [(2,)], model_name="tiny", opset=19)
    assert model.graph.name == "tiny"
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 19)]
    assert model.producer_name == "jax2onnx-lab"
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["jax2onnx_lab.capture.jax"] == jax.__version__


def test_node_metadata_points_at_user_source():
    def f(x):
        return jnp.sin(x) + 1.0  # LINE-SIN

    model = to_onnx(f, [(2,)])
    sin = next(n for n in model.graph.node if n.op_type == "Sin")
    meta = {m.key: m.value for m in sin.metadata_props}
    line = next(i for i, text in enumerate(open(__file__), 1) if "LINE-SIN" in text and "next(" not in text)
    # Relative to the working directory, or the bare file name outside it: no machine paths.
    import os

    here = os.path.realpath(__file__)
    cwd = os.getcwd() + os.sep
    shown = here[len(cwd) :] if here.startswith(cwd) else os.path.basename(here)
    assert meta["jax2onnx_lab.source"].startswith(f"{shown}:{line}:")
    assert not meta["jax2onnx_lab.source"].startswith("/")
    assert meta["jax2onnx_lab.primitive"] == "sin"


def test_cli_converts_a_saved_capture(tmp_path):
    model = CNN(rngs=nnx.Rngs(0))
    cap = capture(model, [("B", 28, 28, 1)])
    cap.save(tmp_path / "cnn.j2o")
    out = tmp_path / "cnn.onnx"
    result = subprocess.run([find_node(), str(bundle_path()), "convert", str(tmp_path / "cnn.j2o"), "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "CNN" in result.stdout and "nodes" in result.stdout
    onnx.checker.check_model(onnx.load(out), full_check=True)
    ok, report = allclose(model, out, [("B", 28, 28, 1)], dims={"B": 3})
    assert ok, report


def test_cli_reports_unsupported_primitives(tmp_path):
    from test_errors import program

    capture(program, [(3,)]).save(tmp_path / "bad.j2o")
    result = subprocess.run([find_node(), str(bundle_path()), "convert", str(tmp_path / "bad.j2o"), "-o", str(tmp_path / "bad.onnx")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "frobnicate_test_only" in result.stderr
    assert not (tmp_path / "bad.onnx").exists()


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16, jnp.int32, jnp.bool_])
def test_non_float32_inputs(dtype, ort_web):
    if dtype == jnp.bool_:
        fn = lambda x: jnp.logical_not(x)  # noqa: E731
    elif dtype == jnp.int32:
        fn = lambda x: x * 3 - 1  # noqa: E731
    else:
        fn = lambda x: (x * 2).astype(jnp.float32)  # noqa: E731
    spec = jax.ShapeDtypeStruct((2, 3), dtype)
    if dtype == jnp.bfloat16:
        # onnxruntime has no bfloat16 Mul kernel on CPU: check the graph, not a run.
        model = to_onnx(fn, [spec])
        onnx.checker.check_model(model, full_check=True)
        assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16
        return
    check_conversion(fn, [spec], ort_web=ort_web, rtol=1e-3 if dtype == jnp.float16 else 1e-5)


def test_file_mode_gets_ordinary_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = to_onnx(jnp.tanh, [(2,)], return_mode="file", output_path=tmp_path / "t.onnx")
    finally:
        os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_scalar_inputs(ort_web):
    check_conversion(lambda x, y: x * y + 1.0, [(), jax.ShapeDtypeStruct((), jnp.float32)], ort_web=ort_web)


def test_int64_literals_beyond_2_53_are_exact():
    """JAX int64 literals such as iinfo(int64).max must reach the ONNX constant bit for bit."""
    big = np.iinfo(np.int64).max - 6
    with jax.enable_x64(True):
        fn = lambda x: jnp.maximum(x, big)  # noqa: E731
        model = to_onnx(fn, [jax.ShapeDtypeStruct((3,), jnp.int64)])
        import onnxruntime as ort

        x = np.array([1, big + 3, -5], np.int64)
        (y,) = ort.InferenceSession(model.SerializeToString()).run(None, {"in_0": x})
        np.testing.assert_array_equal(y, np.asarray(fn(x)))


def test_external_data_beside_the_model(tmp_path, monkeypatch):
    """Over protobuf's limit the weights go to <output>.data; forced here with a zero threshold."""
    from jax2onnx_lab import _to_onnx

    monkeypatch.setattr(_to_onnx, "EXTERNAL_DATA_ABOVE", 0)
    model = CNN(rngs=nnx.Rngs(0))
    path = tmp_path / "cnn.onnx"
    to_onnx(model, [("B", 28, 28, 1)], return_mode="file", output_path=path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.onnx", "cnn.onnx.data"]
    assert path.stat().st_size < 20_000  # structure only; the weights are in the data file
    onnx.checker.check_model(str(path), full_check=True)
    weights = {t.name: onnx.numpy_helper.to_array(t, base_dir=str(tmp_path)) for t in onnx.load(path, load_external_data=False).graph.initializer}
    np.testing.assert_array_equal(weights["conv2.kernel"], np.transpose(np.asarray(model.conv2.kernel.get_value()), (3, 2, 0, 1)))
    ok, report = allclose(model, str(path), [("B", 28, 28, 1)], dims={"B": 2})
    assert ok, report


def test_proto_mode_refuses_models_over_the_protobuf_limit(monkeypatch):
    from jax2onnx_lab import ConversionError, _to_onnx

    monkeypatch.setattr(_to_onnx, "PROTOBUF_LIMIT", 10_000)
    with pytest.raises(ConversionError, match='return_mode="file"'):
        to_onnx(CNN(rngs=nnx.Rngs(0)), [("B", 28, 28, 1)])


def test_weights_changed_since_the_last_conversion_are_the_ones_converted():
    """jax.make_jaxpr(module) caches the trace on the module object, constants included: after
    a weight update it returns the old weights (checked below). Each conversion must trace anew."""
    import onnxruntime as ort

    model = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
    spec = jax.ShapeDtypeStruct((1, 3), jnp.float32)
    x = np.ones((1, 3), np.float32)
    jax.make_jaxpr(model)(spec)  # JAX 0.10 now holds a trace of `model`, with its kernel
    to_onnx(model, [(1, 3)])
    model.kernel.set_value(jnp.full((3, 2), 7.0))
    converted = to_onnx(model, [(1, 3)])
    (got,) = ort.InferenceSession(converted.SerializeToString()).run(None, {"in_0": x})
    np.testing.assert_allclose(got, np.asarray(model(jnp.asarray(x))), rtol=1e-6)
