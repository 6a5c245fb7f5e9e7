"""The kernel side of the graph widget, without a browser: what show() and the magics send,
how the widget answers the browser's weight and save requests, and parity in the kernel. The
browser side runs in a real JupyterLab in ui-tests/."""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np
import onnx
import pytest
from flax import nnx

from example_models import MLP
from jax2onnx_lab import show, to_onnx
from jax2onnx_lab import _show
from jax2onnx_lab._capture import capture
from jax2onnx_lab._interchange import MAGIC
from jax2onnx_lab._parity import compare_output
from jax2onnx_lab._to_onnx import convert_capture


@pytest.fixture(scope="module")
def mlp():
    model = MLP(30, 20, 10, rngs=nnx.Rngs(0))
    model.eval()
    return model


@pytest.fixture(scope="module")
def wide():
    """Kernels over the inline limit: their bytes stay in the kernel unless the browser asks."""
    model = MLP(64, 128, 10, rngs=nnx.Rngs(1))
    model.eval()
    return model


def test_show_sends_the_capture_and_parity_case_computed_by_jax(mlp):
    w = show(mlp, [("B", 30)], dims={"B": 4})
    assert bytes(w.capture[:6]) == MAGIC
    assert w.error == ""
    assert w.config["parity"] == "browser" and w.config["fileName"] == "MLP.onnx"
    case = w.parity_case
    assert [i["name"] for i in case["inputs"]] == ["in_0"] and case["inputs"][0]["shape"] == [4, 30]
    x = np.frombuffer(w.parity_data, np.float32, count=4 * 30, offset=case["inputs"][0]["offset"]).reshape(4, 30)
    out = case["outputs"][0]
    y = np.frombuffer(w.parity_data, np.float32, count=out["length"] // 4, offset=out["offset"]).reshape(out["shape"])
    np.testing.assert_array_equal(y, np.asarray(jax.jit(mlp)(x)))
    assert case["tolerances"] == {"float32": list(_show.tolerance_for("float32"))}


def test_host_weights_stay_in_the_kernel_with_their_statistics(wide):
    w = show(wide, [("B", 64)])
    cap = w._capture
    host = [i for i, s in enumerate(cap.storage) if s == "host"]
    assert len(host) == 2
    assert len(w.capture) < sum(b.nbytes for b in cap.buffers)
    i = host[0]
    assert w.tensor_stats[str(i)]["max"] == pytest.approx(float(np.max(cap.buffers[i])))
    assert w.tensor_stats[str(i)]["count"] == cap.buffers[i].size


def _sent(w):
    sent = []
    w.send = lambda content, buffers=None: sent.append((content, buffers))
    return sent


def test_weights_requests_are_answered_with_the_bytes_to_onnx_writes(wide):
    w = show(wide, [("B", 64)], parity=False)
    sent = _sent(w)
    reply, _ = convert_capture(w._capture)
    refs = [c for c in reply["chunks"] if "buffer" in c]
    assert len(refs) == 2
    w._on_message(w, {"type": "weights", "refs": refs}, [])
    content, buffers = sent[-1]
    assert content == {"type": "weights", "refs": refs}
    for ref, data in zip(refs, buffers):
        arr = w._capture.buffers[ref["buffer"]]
        expected = np.ascontiguousarray(np.transpose(arr, ref["perm"]) if "perm" in ref else arr).tobytes()
        assert data == expected
    w._on_message(w, {"type": "weights", "refs": [{"buffer": 999, "byteLength": 4}]}, [])
    assert "cannot send weights" in sent[-1][0]["error"]


def test_save_writes_what_to_onnx_writes_byte_for_byte(wide, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = show(wide, [("B", 64)], parity=False)
    # The browser sends the converted structure as a chunk table over one payload, the format the
    # Node converter returns too: the kernel fills the host weights from numpy.
    reply, payload = convert_capture(w._capture)
    w._on_message(w, {"type": "save", "table": reply["chunks"]}, [payload])
    assert w.saved["path"] == str(tmp_path / "MLP.onnx")
    to_onnx(wide, [("B", 64)], return_mode="file", output_path=str(tmp_path / "reference.onnx"))
    assert (tmp_path / "MLP.onnx").read_bytes() == (tmp_path / "reference.onnx").read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["MLP.onnx", "reference.onnx"]


def test_a_failed_save_is_reported_and_leaves_no_file(mlp, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = show(mlp, [("B", 30)], parity=False)
    w._on_message(w, {"type": "save", "table": [{"buffer": 999, "byteLength": 8}]}, [b""])
    assert "IndexError" in w.saved["error"]
    assert os.listdir(tmp_path) == []


def test_capture_errors_go_to_the_widget_as_text(mlp):
    train = MLP(30, 20, 10, rngs=nnx.Rngs(0))  # training mode: BatchNorm updates its statistics
    w = show(train, [("B", 30)])
    assert "model.eval()" in w.error
    assert w.capture == b""


def _unknown_primitive():
    """A primitive of the user's own that no rule lowers (what a missing rule looks like)."""
    from jax.extend.core import Primitive

    prim = Primitive("my_unknown_op")
    prim.def_abstract_eval(lambda x: x)
    prim.def_impl(lambda x: x)
    return prim


def test_output_path_writes_through_to_onnx_and_its_errors_are_shown(tmp_path, mlp):
    prim = _unknown_primitive()

    def uses_it(x):
        return jnp.tanh(prim.bind(x)) * 2

    target = tmp_path / "m.onnx"
    w = show(uses_it, [(5,)], output_path=str(target))
    assert "no ONNX lowering rule: my_unknown_op" in w.error and "test_widget.py:" in w.error
    assert not target.exists() and w.parity_case == {}
    good = show(mlp, [("B", 30)], output_path=str(target))
    assert good.error == ""
    onnx.checker.check_model(onnx.load(str(target)), full_check=True)


def test_big_models_run_parity_in_the_kernel(wide, monkeypatch):
    monkeypatch.setattr(_show, "BROWSER_PARITY_LIMIT", 0)
    w = show(wide, [("B", 64)], dims={"B": 5})
    assert w.config["parity"] == "kernel"
    assert w.parity["runtime"] == "onnxruntime (kernel)"
    assert w.parity["ok"], w.parity
    assert w.parity["outputs"][0]["shape"] == [5, 10]


def test_kernel_parity_counts_nan_and_fails_on_a_nan_jax_does_not_have():
    e = np.array([1.0, np.nan, np.inf], np.float32)
    ok = _show.widget_output(compare_output("out_0", e, e.copy()))
    assert ok["ok"] and ok["nan"] == {"onnx": 1, "jax": 1} and ok["inf"] == {"onnx": 1, "jax": 1}
    bad = _show.widget_output(compare_output("out_0", e, np.array([np.nan, np.nan, np.inf], np.float32)))
    assert not bad["ok"] and bad["mismatches"] == 1 and bad["nan"] == {"onnx": 2, "jax": 1}


def test_show_file_sends_structure_and_keeps_big_tensors_in_the_kernel(tmp_path, monkeypatch):
    big = onnx.numpy_helper.from_array(np.arange(2**19, dtype=np.float32).reshape(512, 1024), "W")
    node = onnx.helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")
    graph = onnx.helper.make_graph(
        [node], "g",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["N", 512])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["N", 1024])],
        [big],
    )
    path = tmp_path / "other.onnx"
    onnx.save(onnx.helper.make_model(graph, producer_name="another-tool"), str(path))
    w = show(str(path))
    assert w.config["source"] == "file" and w.capture == b""
    sent = onnx.load_from_string(w.onnx)
    assert [n.name for n in sent.graph.node] == ["mm"]
    assert len(w.onnx) < 4096 and sent.graph.initializer[0].data_location == onnx.TensorProto.EXTERNAL
    assert w.tensor_stats["W"]["max"] == 2**19 - 1 and w.tensor_stats["W"]["zeros"] == 1


def test_show_file_reports_a_file_that_is_not_onnx(tmp_path):
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07 this is not protobuf \xff\xff\xff")
    w = show(str(path))
    assert w.error.startswith(f"Cannot read {path} as an ONNX model")


def test_show_checks_its_arguments(mlp):
    with pytest.raises(TypeError, match="give the input specs"):
        show(mlp)
    with pytest.raises(TypeError, match="takes no inputs"):
        show("model.onnx", [(3,)])


def test_a_program_jax_cannot_run_still_shows_with_the_reason():
    prim = _unknown_primitive()  # an impl but no XLA lowering: jax.jit cannot run it

    w = show(lambda x: prim.bind(x) * 2, [(3,)])
    assert w.error == "" and w.capture != b""
    assert w.config["parity"] == "off" and "JAX could not run the program" in w.config["parityReason"]


def test_complex_parity_cases_travel_as_pairs():
    w = show(lambda z: z * (1 + 2j), [jax.ShapeDtypeStruct((3,), jnp.complex64)], parity=True)
    (i,), (o,) = w.parity_case["inputs"], w.parity_case["outputs"]
    assert (i["dtype"], i["shape"], o["dtype"], o["shape"]) == ("float32", [3, 2], "float32", [3, 2])
    assert w.parity_case["tolerances"] == {"float32": [1e-5, 1e-5]}
