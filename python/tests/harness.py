"""Conversion checks shared by the tests: convert once, then for each set of dim sizes run
JAX, onnxruntime and onnxruntime-web on the same inputs and compare."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import jax
import numpy as np
import onnx

from jax2onnx_lab import to_onnx
from jax2onnx_lab._node import find_node
from jax2onnx_lab._capture import precision_context
from jax2onnx_lab._parity import compare, complex_to_pairs, random_array, resolve_shape, run_onnxruntime, spec_shape_dtype

ROOT = Path(__file__).resolve().parents[2]


class OrtWeb:
    """onnxruntime-web (wasm) in a long-lived Node process (python/tests/ort_web_server.cjs)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [find_node(), str(Path(__file__).with_name("ort_web_server.cjs"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )

    def run(self, model: bytes, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        parts: list[bytes] = [model]
        inputs = []
        offset = len(model)
        for name, arr in feeds.items():
            data = np.ascontiguousarray(arr).tobytes()
            inputs.append({"name": name, "dtype": arr.dtype.name, "shape": list(arr.shape), "offset": offset, "length": len(data)})
            parts.append(data)
            offset += len(data)
        body = json.dumps({"model": [0, len(model)], "inputs": inputs}).encode()
        payload = b"".join(parts)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write((4 + len(body) + len(payload)).to_bytes(4, "little") + len(body).to_bytes(4, "little") + body + payload)
        self._proc.stdin.flush()
        size = int.from_bytes(self._proc.stdout.read(4), "little")
        frame = self._proc.stdout.read(size)
        n = int.from_bytes(frame[:4], "little")
        reply = json.loads(frame[4 : 4 + n])
        if not reply["ok"]:
            raise RuntimeError(f"onnxruntime-web failed: {reply['error']}")
        data = frame[4 + n :]
        return [
            np.frombuffer(data[o["offset"] : o["offset"] + o["length"]], dtype=o["dtype"]).reshape(o["shape"])
            for o in reply["outputs"]
        ]

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=10)


def feed_names(model: onnx.ModelProto) -> list[str]:
    initializers = {i.name for i in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def check_conversion(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    ort_web: OrtWeb,
    dims: Sequence[Mapping[str, int]] = ({},),
    input_params: Mapping[str, Any] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    sample: Callable[[np.random.Generator, tuple[int, ...], np.dtype], np.ndarray] | None = None,
    opset: int | None = None,
    seed: int = 0,
    x64: bool = False,
    **to_onnx_options: Any,
) -> onnx.ModelProto:
    """Converts `fn` once and checks it against JAX at every entry of `dims`; returns the model.

    With `x64`, JAX runs with jax_enable_x64 and the model is converted with
    enable_double_precision=True (shape tuples are float64 inputs)."""
    with precision_context(True if x64 else None):
        return _check_conversion(fn, inputs, ort_web, dims, input_params, rtol, atol, sample, opset, seed, x64, to_onnx_options)


def _check_conversion(fn, inputs, ort_web, dims, input_params, rtol, atol, sample, opset, seed, x64, to_onnx_options) -> onnx.ModelProto:
    options = {"enable_double_precision": True, **to_onnx_options} if x64 else to_onnx_options
    model = to_onnx(fn, inputs, input_params=dict(input_params) if input_params else None, opset=opset, **options)
    onnx.checker.check_model(model, full_check=True)
    model_bytes = model.SerializeToString()
    names = feed_names(model)
    # input_params at their given values (a runtime switch is a Python bool in the program).
    jitted = _reference(lambda *xs: fn(*xs, **dict(input_params or {})))
    for k, sizes in enumerate(dims):
        rng = np.random.default_rng(seed + k)
        xs = []
        for spec in inputs:
            shape, dtype = spec_shape_dtype(spec, np.float64 if x64 else np.float32)
            concrete = resolve_shape(shape, sizes)
            sampled = sample is not None and (np.issubdtype(dtype, np.floating) or getattr(sample, "all_dtypes", False))
            xs.append(sample(rng, concrete, dtype) if sampled else random_array(concrete, dtype, rng))
        params = {k2: np.asarray(v) for k2, v in (input_params or {}).items()}
        expected = [np.asarray(y) for y in jax.tree_util.tree_leaves(jitted(*xs))]
        feeds = dict(zip(names, [complex_to_pairs(x) for x in [*xs, *(_as_jax_dtype(v) for v in params.values())]]))
        for runtime, actual in (("onnxruntime", run_onnxruntime(model_bytes, feeds)), ("onnxruntime-web", ort_web.run(model_bytes, feeds))):
            ok, lines = compare(expected, actual, rtol=rtol, atol=atol)
            assert ok, f"{runtime} differs from JAX at dims {dict(sizes)}:\n" + "\n".join(lines)
    return model


def _reference(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn under jax.jit; eagerly for a Flax NNX model whose NNX transforms refuse a closed-over
    state under an outer trace ("different trace level"): JAX's answer either way."""
    jitted = jax.jit(fn)

    def run(*xs: Any) -> Any:
        try:
            return jitted(*xs)
        except ValueError as e:
            if "different trace level" not in str(e):
                raise
            return fn(*xs)

    return run


def _as_jax_dtype(v: np.ndarray) -> np.ndarray:
    if v.dtype == np.float64 and not jax.config.jax_enable_x64:
        return v.astype(np.float32)
    if v.dtype == np.int64 and not jax.config.jax_enable_x64:
        return v.astype(np.int32)
    return v
