"""The Node converter process under faults: killed, hung, interrupted, shared by threads.

Every test checks that no child process is left behind (counted from /proc) and that a failed
conversion leaves nothing on disk. The faults are real: SIGKILL and SIGSTOP on the Node process,
SIGINT on this one.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import warnings

import jax.numpy as jnp
import numpy as np
import onnx
import pytest
from flax import nnx

from example_models import CNN
from jax2onnx_lab import to_onnx
from jax2onnx_lab import _node, _to_onnx
from jax2onnx_lab._node import ConverterCrashedError, ConverterRestartWarning, ConverterTimeoutError, converter


def children() -> set[int]:
    """Child processes of this one, zombies (exited but not reaped) included."""
    pids: set[int] = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        try:
            with open(f"/proc/{os.getpid()}/task/{task}/children") as f:
                pids |= {int(p) for p in f.read().split()}
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return pids


@pytest.fixture
def no_leaks():
    """Fails the test if it leaves a child process other than the live converter."""
    converter()  # the converter exists before, so it is not counted as new
    before = children()
    yield
    time.sleep(0.05)
    live = {_node._process.pid} if _node._process is not None and _node._process.alive() else set()
    leaked = children() - before - live
    assert not leaked, f"child processes left behind: {sorted(leaked)}"
    # And the processes this test replaced are gone (reaped), not zombies.
    gone = before - children()
    for pid in gone:
        assert not os.path.exists(f"/proc/{pid}"), f"process {pid} was not reaped"


def scaled(k: float):
    return lambda x: jnp.tanh(x) * k


def constant_of(model: onnx.ModelProto) -> float:
    (init,) = [i for i in model.graph.initializer]
    return float(onnx.numpy_helper.to_array(init))


def test_a_dead_process_is_replaced_and_said_so(no_leaks):
    old = converter()
    os.kill(old.pid, signal.SIGKILL)
    old._proc.wait()
    with pytest.warns(ConverterRestartWarning, match=r"had stopped \(killed by SIGKILL\); started a new one"):
        model = to_onnx(scaled(2.0), [(3,)])
    assert constant_of(model) == 2.0
    assert converter() is not old and converter().alive()


def test_a_process_killed_under_a_request_is_replaced_and_the_request_sent_again(no_leaks):
    proc = converter()
    os.kill(proc.pid, signal.SIGSTOP)  # holds the request without answering
    threading.Timer(0.3, lambda: os.kill(proc.pid, signal.SIGKILL)).start()
    with pytest.warns(ConverterRestartWarning, match=r"stopped \(killed by SIGKILL\).*sent the request again"):
        model = to_onnx(scaled(3.0), [(3,)])
    assert constant_of(model) == 3.0


class Killer:
    """Kills every converter process it sees until stopped: a conversion that cannot finish."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.killed: set[int] = set()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            proc = _node._process
            if proc is not None and proc.alive():
                try:
                    os.kill(proc.pid, signal.SIGKILL)
                    self.killed.add(proc.pid)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)

    def __enter__(self) -> "Killer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def test_a_conversion_killed_every_time_leaves_nothing(tmp_path, monkeypatch, no_leaks):
    """Killed mid-way (twice: the retry too): no output, no .data, no temp file, old files intact."""
    monkeypatch.setattr(_to_onnx, "EXTERNAL_DATA_ABOVE", 0)  # would write cnn.onnx.data too
    out = tmp_path / "cnn.onnx"
    out.write_bytes(b"previous model")
    (tmp_path / "cnn.onnx.data").write_bytes(b"previous data")
    model = CNN(rngs=nnx.Rngs(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConverterRestartWarning)
        with Killer() as killer, pytest.raises(ConverterCrashedError, match=r"stopped \(killed by SIGKILL\)") as info:
            to_onnx(model, [("B", 28, 28, 1)], return_mode="file", output_path=out)
    assert len(killer.killed) >= 2 and info.value.kind == "converter_crashed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.onnx", "cnn.onnx.data"]
    assert out.read_bytes() == b"previous model" and (tmp_path / "cnn.onnx.data").read_bytes() == b"previous data"
    # The next conversion gets a fresh process.
    with pytest.warns(ConverterRestartWarning):
        assert constant_of(to_onnx(scaled(4.0), [(3,)])) == 4.0


def test_interrupted_while_writing_leaves_nothing(tmp_path, monkeypatch, no_leaks):
    """Ctrl-C after the data file is complete but before the model is: neither file changes."""
    monkeypatch.setattr(_to_onnx, "EXTERNAL_DATA_ABOVE", 0)
    out = tmp_path / "cnn.onnx"
    out.write_bytes(b"previous model")
    (tmp_path / "cnn.onnx.data").write_bytes(b"previous data")
    real = _to_onnx.write_chunks
    calls = []

    def interrupted(f, cap, chunks, payload):
        calls.append(f.name)
        if len(calls) == 2:  # the model file, after the data file was written in full
            f.write(b"half a model")
            raise KeyboardInterrupt
        real(f, cap, chunks, payload)

    monkeypatch.setattr(_to_onnx, "write_chunks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        to_onnx(CNN(rngs=nnx.Rngs(0)), [("B", 28, 28, 1)], return_mode="file", output_path=out)
    assert len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.onnx", "cnn.onnx.data"]
    assert out.read_bytes() == b"previous model" and (tmp_path / "cnn.onnx.data").read_bytes() == b"previous data"


@pytest.mark.parametrize("fsync", [False, True])
def test_fsync_flushes_every_file_before_the_renames_only_when_asked(tmp_path, monkeypatch, fsync):
    """The write is atomic either way; fsync=True also flushes the data file and the model
    (each before any rename), so they survive a power loss."""
    monkeypatch.setattr(_to_onnx, "EXTERNAL_DATA_ABOVE", 0)
    out = tmp_path / "cnn.onnx"
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(_to_onnx.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(_to_onnx.os, "replace", lambda a, b: (events.append("rename"), real_replace(a, b))[1])
    to_onnx(CNN(rngs=nnx.Rngs(0)), [("B", 28, 28, 1)], return_mode="file", output_path=out, fsync=fsync)
    assert events == (["fsync", "fsync", "rename", "rename"] if fsync else ["rename", "rename"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.onnx", "cnn.onnx.data"]


def test_a_hung_process_times_out_with_a_clear_error(monkeypatch, no_leaks):
    monkeypatch.setenv("JAX2ONNX_LAB_TIMEOUT", "1.5")
    hung = converter()
    os.kill(hung.pid, signal.SIGSTOP)
    start = time.monotonic()
    with pytest.raises(ConverterTimeoutError, match=r"did not answer within 1.5 s.*JAX2ONNX_LAB_TIMEOUT") as info:
        to_onnx(scaled(2.0), [(3,)])
    assert 1.4 < time.monotonic() - start < 30
    assert info.value.kind == "timeout" and isinstance(info.value, TimeoutError)
    assert not hung.alive()
    # Stopped on purpose: the next conversion starts a fresh process without a warning (and with
    # room to start it: a fresh Node process can take more than 1.5 s on a loaded machine).
    monkeypatch.setenv("JAX2ONNX_LAB_TIMEOUT", "60")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert constant_of(to_onnx(scaled(5.0), [(3,)])) == 5.0


def test_a_bad_timeout_setting_says_what_is_wrong(monkeypatch):
    monkeypatch.setenv("JAX2ONNX_LAB_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="JAX2ONNX_LAB_TIMEOUT='soon' is not a number of seconds"):
        to_onnx(scaled(2.0), [(3,)])


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals reach the main thread only")
def test_ctrl_c_passes_through_and_the_next_conversion_works(monkeypatch, no_leaks):
    monkeypatch.setenv("JAX2ONNX_LAB_TIMEOUT", "60")
    busy = converter()
    os.kill(busy.pid, signal.SIGSTOP)  # a conversion that takes a while
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        to_onnx(scaled(2.0), [(3,)])
    assert not busy.alive()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert constant_of(to_onnx(scaled(6.0), [(3,)])) == 6.0


def test_threads_share_one_process_safely(no_leaks):
    results: dict[int, float] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for _ in range(3):
                results[k] = constant_of(to_onnx(scaled(float(k)), [(3,)]))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2, 8)]
    pid = converter().pid
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert results == {k: float(k) for k in range(2, 8)}
    assert converter().pid == pid  # one process served them all


def test_threads_recover_together_from_a_killed_process(no_leaks):
    proc = converter()
    os.kill(proc.pid, signal.SIGSTOP)
    results: dict[int, float] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = constant_of(to_onnx(scaled(float(k)), [(3,)]))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConverterRestartWarning)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(2, 6)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors
    assert results == {k: float(k) for k in range(2, 6)}


ORPHAN_SCRIPT = """
import os, signal, sys
import jax.numpy as jnp
from jax2onnx_lab import to_onnx
from jax2onnx_lab._node import converter
to_onnx(lambda x: x * 2.0, [(2,)])
print(converter().pid, flush=True)
if sys.argv[1] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)  # no atexit: the Node process sees its stdin close
"""


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True  # exited; its new parent has not reaped it yet
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("ending", ["exit", "kill"])
def test_the_node_process_ends_with_python(ending):
    out = subprocess.run([sys.executable, "-c", ORPHAN_SCRIPT, ending], capture_output=True, text=True, timeout=120)
    pid = int(out.stdout.split()[0])
    assert _gone(pid, within=10), f"the Node process {pid} outlived Python ({ending})"


def test_an_unreadable_request_frame_gets_an_error_reply():
    reply, _ = converter().request({"op": "ping"})
    assert reply["ok"]
    # A frame whose JSON length points past the frame: answered, and the process keeps serving.
    proc = converter()._proc
    assert proc.stdin is not None and proc.stdout is not None
    with converter()._lock:
        proc.stdin.write((8).to_bytes(4, "little") + (999).to_bytes(4, "little") + b"{}{}")
        proc.stdin.flush()
        size = int.from_bytes(proc.stdout.read(4), "little")
        frame = proc.stdout.read(size)
    n = int.from_bytes(frame[:4], "little")
    import json

    bad = json.loads(frame[4 : 4 + n])
    assert bad["ok"] is False and bad["error"]["kind"] == "bad_request"
    assert converter().request({"op": "ping"})[0]["ok"]
    np.testing.assert_equal(constant_of(to_onnx(scaled(7.0), [(3,)])), 7.0)


def test_the_converter_starts_without_the_extra_ca_bundle(monkeypatch):
    """NODE_EXTRA_CA_CERTS makes Node parse a CA bundle at start (~85 ms here); the converter opens
    no connections, so its process is started without it (and everything else of ours kept)."""
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("JAX2ONNX_LAB_TEST_MARKER", "kept")
    proc = _node.ConverterProcess()
    try:
        assert proc.request({"op": "ping"})[0]["ok"]
        with open(f"/proc/{proc.pid}/environ", "rb") as f:
            env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
        assert b"NODE_EXTRA_CA_CERTS" not in env
        assert env[b"JAX2ONNX_LAB_TEST_MARKER"] == b"kept"
    finally:
        proc.close()
