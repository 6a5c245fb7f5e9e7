"""The Node CLI on bad input: one readable message, a non-zero exit, no stack trace unless
--debug; `inspect` on real, external-data, hostile and broken models; Ctrl-C while converting."""

import os
import signal
import subprocess
import time

import jax.numpy as jnp
import onnx
import pytest
from flax import nnx

from example_models import CNN
from harness import ROOT
from hostile_model import STRINGS, hostile_model
from jax2onnx_lab import capture, to_onnx
from jax2onnx_lab import _to_onnx
from jax2onnx_lab._node import bundle_path, find_node


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([find_node(), str(bundle_path()), *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120)


def assert_one_clean_message(result: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stderr.startswith("jax2onnx-lab: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    # No stack trace, no paths into the bundle.
    assert "    at " not in result.stderr and ".cjs" not in result.stderr and "node:internal" not in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    capture(lambda x: jnp.tanh(x) * 2.0, [("B", 3)]).save(str(d / "good.j2o"))
    good = (d / "good.j2o").read_bytes()
    (d / "random.bin").write_bytes(os.urandom(300))
    (d / "truncated.j2o").write_bytes(good[: len(good) // 2])
    (d / "v2.j2o").write_bytes(good[:6] + (2).to_bytes(2, "little") + good[8:])
    (d / "empty.onnx").write_bytes(b"")
    onnx.save(to_onnx(jnp.tanh, [(2,)]), str(d / "tanh.onnx"))
    (d / "truncated.onnx").write_bytes((d / "tanh.onnx").read_bytes()[:40])
    (d / "subdir").mkdir()
    return d


@pytest.mark.parametrize(
    "args, code, needles",
    [
        (["convert", "random.bin", "-o", "out.onnx"], 1, ["missing J2OCAP magic", "capture the program again"]),
        (["convert", "truncated.j2o", "-o", "out.onnx"], 1, ["capture is truncated"]),
        (["convert", "v2.j2o", "-o", "out.onnx"], 1, ["capture version 2 is not supported", "re-capture"]),
        (["convert", "missing.j2o", "-o", "out.onnx"], 1, ["cannot read missing.j2o: no such file or directory"]),
        (["convert", "subdir", "-o", "out.onnx"], 1, ["cannot read subdir: it is a directory"]),
        (["convert", "good.j2o", "-o", "nodir/out.onnx"], 1, ["cannot", "nodir", "no such file or directory"]),
        (["convert", "good.j2o"], 2, ["convert needs -o MODEL.onnx", "usage:"]),
        (["convert", "good.j2o", "-o", "out.onnx", "--opset", "abc"], 2, ['--opset must be a positive integer, got "abc"']),
        (["convert", "good.j2o", "-o", "out.onnx", "--frobnicate"], 2, ["unknown option --frobnicate"]),
        (["inspect", "random.bin"], 1, ["random.bin is not a readable ONNX model", "truncated, corrupted or not ONNX"]),
        (["inspect", "empty.onnx"], 1, ["empty.onnx is not a readable ONNX model: it is empty"]),
        (["inspect", "truncated.onnx"], 1, ["truncated.onnx is not a readable ONNX model"]),
        (["inspect", "good.j2o"], 1, ["good.j2o is not a readable ONNX model"]),
        (["inspect", "missing.onnx"], 1, ["cannot read missing.onnx: no such file or directory"]),
        (["inspect"], 2, ["inspect needs a model file"]),
        (["frobnicate"], 2, ['unknown command "frobnicate"']),
        ([], 2, ["no command given"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_every_failure_is_one_readable_message(files, args, code, needles):
    result = cli(*args, cwd=files)
    assert_one_clean_message(result, code, *needles)
    assert not (files / "out.onnx").exists()
    assert not [p.name for p in files.iterdir() if p.name.endswith(".tmp")]


def test_debug_shows_the_stack(files):
    result = cli("convert", "random.bin", "-o", "out.onnx", "--debug", cwd=files)
    assert result.returncode == 1 and "missing J2OCAP magic" in result.stderr
    assert "ContainerError" in result.stderr and "    at " in result.stderr


def test_help():
    result = cli("--help")
    assert result.returncode == 0 and "jax2onnx-lab inspect MODEL.onnx" in result.stdout


def test_inspect_summarizes_a_model_with_external_data(tmp_path, monkeypatch):
    monkeypatch.setattr(_to_onnx, "EXTERNAL_DATA_ABOVE", 0)
    path = tmp_path / "cnn.onnx"
    to_onnx(CNN(rngs=nnx.Rngs(0)), [("B", 28, 28, 1)], return_mode="file", output_path=path)
    data_bytes = (tmp_path / "cnn.onnx.data").stat().st_size
    (tmp_path / "cnn.onnx.data").unlink()  # inspect reads the model file only
    result = cli("inspect", path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'ONNX model "CNN", IR version 10, produced by jax2onnx-lab 0.1.0' in out
    assert "opsets: ai.onnx 21" in out
    assert "in_0: float32[B,28,28,1]" in out and "out_0: float32[B,10]" in out
    model = onnx.load(str(path), load_external_data=False)
    for op in {n.op_type for n in model.graph.node}:
        count = sum(n.op_type == op for n in model.graph.node)
        assert f"{count:>6}  {op}\n" in out
    assert f"initializers: {len(model.graph.initializer)}," in out
    assert "in external data (cnn.onnx.data)" in out
    assert "jax2onnx_lab.capture.jax = 0.10.2" in out
    # The external byte count is the sum of the tensors' lengths (the data file pads between them).
    lengths = sum(int({e.key: e.value for e in t.external_data}["length"]) for t in model.graph.initializer if t.external_data)
    assert lengths <= data_bytes
    assert f"{lengths / 2**20:.1f} MiB in external data" in out


def test_inspect_shows_hostile_strings_as_inert_text(tmp_path):
    path = tmp_path / "hostile.onnx"
    onnx.save(hostile_model(), str(path))
    result = cli("inspect", path)
    assert result.returncode == 0, result.stderr
    for key in ("node", "input", "output", "function", "metadata_key"):
        if key == "node":
            continue  # node names are not listed, only op counts
        assert STRINGS[key] in result.stdout, key
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\x07" not in result.stdout
    assert "\\u{1b}]0;owned\\u{7}\\u{202e}" in result.stdout


def test_hostile_model_is_valid_and_runs():
    import numpy as np
    import onnxruntime as ort

    model = hostile_model()
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(model.SerializeToString())
    (y,) = session.run(None, {STRINGS["input"]: np.ones((2, 3), np.float32)})
    np.testing.assert_array_equal(y, [[1, 0, 3], [1, 0, 3]])


@pytest.mark.parametrize("delay", [0.0, 0.15, 0.3, 0.6])
def test_ctrl_c_during_convert_writes_all_or_nothing(tmp_path, delay):
    """SIGINT at different moments: either the complete model (exit 0) or nothing (130), never a
    temp file, a partial file or a changed existing file."""
    capture(CNN(rngs=nnx.Rngs(0)), [("B", 28, 28, 1)]).save(str(tmp_path / "cnn.j2o"))
    out = tmp_path / "cnn.onnx"
    out.write_bytes(b"previous model")
    proc = subprocess.Popen([find_node(), str(bundle_path()), "convert", "cnn.j2o", "-o", "cnn.onnx"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cnn.j2o", "cnn.onnx"], names
    # Exit 0: the complete model. 130: our handler stopped the write, nothing changed. Killed by
    # the signal itself: either before Node installed the handler (nothing changed) or while the
    # process was tearing down after the rename (the complete model); never anything in between.
    assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, stderr)
    if proc.returncode == 130:
        assert "interrupted: nothing was written" in stderr
    if proc.returncode == 0 or (proc.returncode == -signal.SIGINT and out.read_bytes() != b"previous model"):
        onnx.checker.check_model(onnx.load(str(out)), full_check=True)
    else:
        assert out.read_bytes() == b"previous model"
