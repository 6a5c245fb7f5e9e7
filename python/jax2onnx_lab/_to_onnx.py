"""to_onnx: trace with JAX, convert with the TypeScript converter (in Node), write or return ONNX."""

from __future__ import annotations

import os
import tempfile
from typing import IO, Any, Callable, Sequence

import numpy as np

from ._capture import DEFAULT_INLINE_LIMIT, Capture, capture
from ._errors import error_from_reply
from ._interchange import array_bytes
from ._node import converter

RETURN_MODES = ("proto", "ir", "file")


def convert_capture(cap: Capture, *, opset: int | None = None) -> tuple[dict[str, Any], memoryview]:
    """Sends a capture to the converter; returns its reply (chunk table, summary) and payload."""
    # Source paths in the model's metadata are relative to the working directory (or bare file
    # names outside it): a shipped model should not carry this machine's directory layout.
    message: dict[str, Any] = {"op": "convert", "sourceRoot": os.getcwd()}
    if opset is not None:
        message["opset"] = int(opset)
    reply, payload = converter().request(message, cap.parts())
    if not reply.get("ok"):
        raise error_from_reply(reply.get("error", {}))
    return reply, payload


def _host_bytes(cap: Capture, chunk: dict[str, Any]) -> memoryview:
    arr = cap.buffers[chunk["buffer"]]
    if "perm" in chunk:
        arr = np.transpose(arr, chunk["perm"])
    data = array_bytes(arr)
    if data.nbytes != chunk["byteLength"]:
        raise RuntimeError(f"buffer {chunk['buffer']} has {data.nbytes} bytes, the converter expected {chunk['byteLength']}")
    return data


def write_chunks(out: IO[bytes], cap: Capture, chunks: list[dict[str, Any]], payload: memoryview) -> None:
    """Writes the model: byte chunks from the converter's payload, weights straight from numpy."""
    for chunk in chunks:
        if "bytes" in chunk:
            offset, length = chunk["bytes"]
            out.write(payload[offset : offset + length])
        else:
            out.write(_host_bytes(cap, chunk))


def write_model_file(path: str | os.PathLike[str], cap: Capture, chunks: list[dict[str, Any]], payload: memoryview) -> None:
    """Writes atomically: a temp file in the target's directory, renamed over the target."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file 0600; give it the permissions an ordinary open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            write_chunks(f, cap, chunks, payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def model_bytes(cap: Capture, chunks: list[dict[str, Any]], payload: memoryview) -> bytes:
    import io

    buf = io.BytesIO()
    write_chunks(buf, cap, chunks, payload)
    return buf.getvalue()


def to_onnx(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    input_params: dict[str, Any] | None = None,
    model_name: str | None = None,
    opset: int | None = None,
    return_mode: str = "proto",
    output_path: str | os.PathLike[str] | None = None,
) -> Any:
    """Converts a JAX callable (function, Flax NNX or Equinox module) to ONNX.

    Args:
      fn: the callable; it is traced with ``jax.make_jaxpr``.
      inputs: one spec per positional input: a shape tuple of ints and dim names such as
        ``("B", 30)`` (float32), a ``jax.ShapeDtypeStruct``, or an array (its shape and dtype).
        Equal names are the same dimension; they stay symbolic in the ONNX model.
      input_params: keyword arguments that become runtime scalar inputs, named by their keys.
      model_name: the graph's name (default: the callable's name).
      opset: the ONNX default-domain opset (default 21).
      return_mode: ``"proto"`` (an ``onnx.ModelProto``), ``"ir"`` (an ``onnx_ir.Model``) or
        ``"file"`` (written to ``output_path``; weights are streamed from their arrays).
      output_path: where ``return_mode="file"`` writes; written atomically, never half-written.

    Returns:
      The ModelProto, the onnx_ir Model, or the output path as a string.
    """
    if return_mode not in RETURN_MODES:
        raise ValueError(f"return_mode must be one of {', '.join(map(repr, RETURN_MODES))}, got {return_mode!r}")
    if return_mode == "file" and output_path is None:
        raise ValueError('return_mode="file" needs output_path')
    cap = capture(fn, inputs, input_params=input_params, model_name=model_name, opset=opset, inline_limit=DEFAULT_INLINE_LIMIT)
    reply, payload = convert_capture(cap, opset=opset)
    if return_mode == "file":
        write_model_file(output_path, cap, reply["chunks"], payload)  # type: ignore[arg-type]
        return os.fspath(output_path)  # type: ignore[arg-type]
    import onnx

    proto = onnx.load_from_string(model_bytes(cap, reply["chunks"], payload))
    if return_mode == "ir":
        import onnx_ir

        return onnx_ir.from_proto(proto)
    return proto
