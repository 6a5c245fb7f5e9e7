"""to_onnx: trace with JAX, convert with the TypeScript converter (in Node), write or return ONNX."""

from __future__ import annotations

import os
import tempfile
from typing import IO, Any, Callable, Sequence

import numpy as np

from ._capture import DEFAULT_INLINE_LIMIT, Capture, capture
from ._errors import ConversionError, error_from_reply
from ._interchange import array_bytes
from ._node import converter, request
from ._parity import complex_to_pairs

RETURN_MODES = ("proto", "ir", "file")
# Protobuf cannot hold a message of 2 GiB or more. Files put their weights in an external data
# file (`<output>.data`) once the tensors exceed this, which leaves room for the graph itself.
PROTOBUF_LIMIT = 2**31 - 1
# Private knob: tests lower it (monkeypatch `_to_onnx.EXTERNAL_DATA_ABOVE`) to exercise the
# external-data path with small models; bench/big_model.py checks the real one.
EXTERNAL_DATA_ABOVE = 2**31 - 2**27


def convert_capture(
    cap: Capture, *, opset: int | None = None, external_data: str | None = None, inline_functions: bool = False
) -> tuple[dict[str, Any], memoryview]:
    """Sends a capture to the converter; returns its reply (chunk tables, summary) and payload.

    With `external_data` (a file name relative to the model), big tensors go to that file when
    the model would otherwise pass protobuf's limit.
    """
    # Source paths in the model's metadata are relative to the working directory (or bare file
    # names outside it): a shipped model should not carry this machine's directory layout.
    message: dict[str, Any] = {"op": "convert", "sourceRoot": os.getcwd()}
    if opset is not None:
        message["opset"] = int(opset)
    if inline_functions:
        message["inlineFunctions"] = True
    if external_data is not None:
        message["externalData"] = {"location": external_data, "above": EXTERNAL_DATA_ABOVE}
    reply, payload = request(message, cap.parts())
    if not reply.get("ok"):
        raise error_from_reply(reply.get("error", {}))
    return reply, payload


def _host_bytes(cap: Capture, chunk: dict[str, Any]) -> memoryview:
    arr = cap.buffers[chunk["buffer"]]
    if np.iscomplexobj(arr):
        # The converter holds complex tensors as (real, imag) pairs on a trailing axis; its perms
        # are over that shape (docs/complex.md).
        arr = complex_to_pairs(arr)
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


def write_model_files(path: str | os.PathLike[str], cap: Capture, reply: dict[str, Any], payload: memoryview, *, fsync: bool = False) -> None:
    """Writes the model and its external data file (if any), both or neither (see below)."""
    target = os.fspath(path)
    files: list[tuple[str, list[dict[str, Any]]]] = []
    data = reply.get("data")
    if data:
        files.append((os.path.join(os.path.dirname(os.path.abspath(target)), data["location"]), data["chunks"]))
    files.append((target, reply["chunks"]))
    _write_files_atomic(files, cap, payload, fsync=fsync)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _write_files_atomic(files: list[tuple[str, list[dict[str, Any]]]], cap: Capture, payload: memoryview, *, fsync: bool = False) -> None:
    """Each file goes to a temp file beside its target; only when all are complete are they
    renamed over their targets (the data file first, then the model that names it). Any failure
    before that, Ctrl-C included, removes every temp file and leaves existing targets untouched.
    With `fsync` each file is also flushed to the disk before the renames, so the files survive a
    power loss; off by default (as for onnx.save): on big weights it doubled the write time
    (bench/results.md, writer / plain copy)."""
    temps: list[str] = []
    try:
        for target, chunks in files:
            directory = os.path.dirname(os.path.abspath(target))
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
            temps.append(tmp)
            # mkstemp makes the file 0600; give it the permissions an ordinary open() would.
            os.chmod(tmp, 0o666 & ~_umask())
            with os.fdopen(fd, "wb") as f:
                write_chunks(f, cap, chunks, payload)
                if fsync:
                    f.flush()
                    os.fsync(f.fileno())
        for (target, _), tmp in zip(files, temps):
            os.replace(tmp, target)
    except BaseException:
        for tmp in temps:
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
    enable_double_precision: bool | None = None,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    inputs_as_nchw: Sequence[int] | None = None,
    outputs_as_nchw: Sequence[int] | None = None,
    inline_functions: bool = False,
    fsync: bool = False,
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
      enable_double_precision: ``True`` traces with ``jax_enable_x64`` on and shape tuples as
        float64, so the model computes in float64 (tensor(double)) end to end; ``False`` traces
        with it off (float32); ``None`` (default) follows JAX's own ``jax_enable_x64`` setting.
      input_names: names of the graph inputs for ``inputs`` (default ``in_0``, ``in_1``, ...);
        ``input_params`` inputs are named by their keys.
      output_names: names of the graph outputs (default ``out_0``, ...), one per output leaf.
      inputs_as_nchw: positions of inputs the ONNX graph takes channels first (N, C, H, W) while
        ``fn`` and ``inputs`` stay channels last (N, H, W, C); a Transpose at the edge, which
        cancels against a convolution's own.
      outputs_as_nchw: positions of outputs the graph returns channels first.
      Complex inputs and outputs travel as real tensors with a trailing dimension of 2
      (docs/complex.md).
      inline_functions: lower ``@onnx_function`` calls in place (a flat graph without
        FunctionProtos) for runtimes that want one.
      fsync: with ``return_mode="file"``, also flush the files to the disk before they are
        renamed into place, so they survive a power loss or OS crash. The write is atomic either
        way (no reader sees a half-written file); off by default, as for ``onnx.save``, since it
        ties the write to the disk's speed.

    Returns:
      The ModelProto, the onnx_ir Model, or the output path as a string.
    """
    if return_mode not in RETURN_MODES:
        raise ValueError(f"return_mode must be one of {', '.join(map(repr, RETURN_MODES))}, got {return_mode!r}")
    if return_mode == "file" and output_path is None:
        raise ValueError('return_mode="file" needs output_path')
    # Starts the Node converter now if it is not running (a process spawn, not a wait): it loads
    # while JAX traces, instead of after (the first conversion in a session, bench/results.md).
    converter()
    cap = capture(
        fn, inputs, input_params=input_params, model_name=model_name, opset=opset, inline_limit=DEFAULT_INLINE_LIMIT,
        enable_double_precision=enable_double_precision, input_names=input_names, output_names=output_names,
        inputs_as_nchw=inputs_as_nchw, outputs_as_nchw=outputs_as_nchw,
    )
    if return_mode == "file":
        reply, payload = convert_capture(cap, opset=opset, external_data=os.path.basename(os.fspath(output_path)) + ".data", inline_functions=inline_functions)  # type: ignore[arg-type]
        write_model_files(output_path, cap, reply, payload, fsync=fsync)  # type: ignore[arg-type]
        return os.fspath(output_path)  # type: ignore[arg-type]
    reply, payload = convert_capture(cap, opset=opset, inline_functions=inline_functions)
    size = reply["summary"]["bytes"]
    if size > PROTOBUF_LIMIT:
        raise ConversionError(
            f"the model is {size / 2**30:.1f} GiB, over protobuf's 2 GiB limit for one ModelProto; "
            f'use return_mode="file", which stores the weights in an external data file beside the model',
            kind="too_large",
        )
    import onnx

    proto = onnx.load_from_string(model_bytes(cap, reply["chunks"], payload))
    if return_mode == "ir":
        import onnx_ir

        return onnx_ir.from_proto(proto)
    return proto
