"""Interchange format v1 (docs/interchange.md): closed jaxpr -> JSON header + binary buffers.

The header holds the program's structure; arrays (weights, array literals, array params) are
buffers. Small buffers are ``inline`` (sent with the header); big ones can stay with the host
(``storage: "host"``): the converter sees only their dtype, shape and size, and the host writes
their bytes into the ONNX file itself. Params go through one generic, lossless encoder.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import math
import os
import sysconfig
from pathlib import Path
from typing import IO, Any, Callable, Iterable

import jax
import numpy as np
import orjson
from jax._src import source_info_util
from jax.extend import core as jex_core

from ._functions import function_call

FORMAT = "jax2onnx-lab.capture"
VERSION = 1
MAGIC = b"J2OCAP"
ALIGN = 64
PREFIX = 12
MAX_SAFE_INT = 2**53 - 1

# Params with no meaning for ONNX that are not data (shardings, meshes, layouts, autodiff
# thunks). Anything else that is not data is kept as an opaque marker naming its type.
DROPPED_PARAMS = frozenset(
    {
        "jvp_jaxpr_fun", "jvp_jaxpr_thunk", "fwd_jaxpr_thunk", "bwd", "out_trees",
        "ctx_mesh", "in_shardings", "out_shardings", "in_layouts", "out_layouts",
        "compiler_options_kvs", "sharding", "out_sharding",
    }
)

_OWN_DIR = os.path.realpath(Path(__file__).parent) + os.sep
_LIBRARY_DIRS = tuple({os.path.realpath(sysconfig.get_paths()[k]) + os.sep for k in ("purelib", "platlib", "stdlib")} | {_OWN_DIR})


class CaptureError(Exception):
    pass


@functools.lru_cache(maxsize=4096)
def _real_path(path: str) -> str:
    """`os.path.realpath`, once per file name: a conversion asks for the same few files once
    per frame of every eqn (measured, seed MLP: ~400 calls and ~8 ms per conversion uncached)."""
    return os.path.realpath(path)


def notebook_cell_name(path: str) -> str | None:
    """A notebook cell's code as IPython names it in tracebacks ("Cell In[3]"), or None.

    ipykernel compiles each cell from a temp file (/tmp/ipykernel_123/3277037935.py): that path
    tells a user nothing and a shipped model should not carry it.
    """
    import sys

    if "IPython" not in sys.modules:
        return None
    shell = sys.modules["IPython"].get_ipython()
    named = getattr(getattr(shell, "compile", None), "format_code_name", lambda _: None)(path)
    return " ".join(named) if named else None


def is_library_file(path: str) -> bool:
    return _real_path(path).startswith(_LIBRARY_DIRS)


def is_own_file(path: str) -> bool:
    """A file of this package (the tracing wrapper), which never explains anything to the user."""
    return _real_path(path).startswith(_OWN_DIR)


def _float_json(x: float) -> Any:
    if math.isnan(x):
        return {"$float": "nan"}
    if math.isinf(x):
        return {"$float": "inf" if x > 0 else "-inf"}
    if x == 0.0 and math.copysign(1.0, x) < 0:
        # JSON writers such as JavaScript's JSON.stringify print -0.0 as 0: keep the sign as text.
        return {"$float": "-0"}
    # A bare JSON number is read as an int when integral, so integral floats are tagged.
    return {"$float": x} if float(x).is_integer() else x


def _int_json(x: int) -> Any:
    return x if abs(x) <= MAX_SAFE_INT else {"$int": str(x)}


# A traceback frame's kind: JAX's own or ours (not shown), a library's, or the user's.
_SKIPPED, _LIBRARY, _USER = 0, 1, 2


def _code_kind(file_name: str) -> int:
    if not source_info_util.is_user_filename(file_name) or is_own_file(file_name):
        return _SKIPPED
    return _LIBRARY if is_library_file(file_name) else _USER


def dtype_name(dtype: Any) -> str:
    return np.dtype(dtype).name


class CaptureWriter:
    """Encodes one closed jaxpr (and everything nested in it) into a header and buffers."""

    def __init__(self, *, inline_limit: int | None = None, weight_names: dict[int, str] | None = None):
        self.inline_limit = inline_limit
        self.weight_names = weight_names or {}
        self.buffers: list[np.ndarray] = []
        self.buffer_infos: list[dict[str, Any]] = []
        self._buffer_ids: dict[int, int] = {}
        # Keeps every object whose id() keys _buffer_ids alive, so no id is reused meanwhile.
        self._buffer_sources: list[Any] = []
        self.files: list[str] = []
        self._file_ids: dict[str, int] = {}
        self._var_ids: dict[Any, int] = {}
        self._next_id = -1
        # source() per SourceInfo object: the capture asks for each eqn's twice (warnings, header).
        self._sources: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._avals: dict[Any, dict[str, Any]] = {}
        self._code_kinds: dict[Any, int] = {}

    # -- buffers ---------------------------------------------------------------------------
    def buffer(self, value: Any) -> int:
        key = id(value)
        if key in self._buffer_ids:
            return self._buffer_ids[key]
        arr = np.asarray(value)
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        inline = self.inline_limit is None or arr.nbytes <= self.inline_limit
        info: dict[str, Any] = {
            "dtype": dtype_name(arr.dtype),
            "shape": [int(d) for d in arr.shape],
            "byteLength": int(arr.nbytes),
            "storage": "inline" if inline else "host",
        }
        name = self.weight_names.get(key)
        if name:
            info["name"] = name
        index = len(self.buffers)
        self._buffer_sources.append(value)
        self.buffers.append(arr)
        self.buffer_infos.append(info)
        self._buffer_ids[key] = index
        return index

    # -- vars and atoms --------------------------------------------------------------------
    def aval(self, aval: Any) -> dict[str, Any]:
        # One encoding per distinct aval (a model has few; a ResNet's 3000 vars have ~40), shared
        # by every var: nothing mutates header dicts once made.
        try:
            return self._avals[aval]
        except KeyError:
            out = self._avals[aval] = self._aval(aval)
            return out
        except TypeError:  # an unhashable aval type
            return self._aval(aval)

    @staticmethod
    def _aval(aval: Any) -> dict[str, Any]:
        dtype = getattr(aval, "dtype", None)
        if dtype is None or not isinstance(dtype, np.dtype):
            raise CaptureError(f"value of type {aval} has no numeric dtype")
        out: dict[str, Any] = {
            "shape": [int(d) if isinstance(d, (int, np.integer)) else str(d) for d in aval.shape],
            "dtype": dtype_name(dtype),
        }
        if getattr(aval, "weak_type", False):
            out["weak"] = True
        return out

    def var(self, v: Any) -> dict[str, Any]:
        if type(v).__name__ == "DropVar":
            # Unused outputs get a fresh id each: JAX may share one DropVar object.
            self._next_id += 1
            return {"id": self._next_id, "aval": self.aval(v.aval), "drop": True}
        if v not in self._var_ids:
            self._next_id += 1
            self._var_ids[v] = self._next_id
        return {"id": self._var_ids[v], "aval": self.aval(v.aval)}

    def atom(self, a: Any) -> dict[str, Any]:
        if isinstance(a, jex_core.Literal):
            val = np.asarray(a.val)
            aval = self.aval(a.aval)
            # Complex scalars have no JSON form: like array literals they travel as a buffer.
            if val.ndim == 0 and not np.iscomplexobj(val):
                return {"lit": self.scalar(val), "aval": aval}
            # a.val itself (not the numpy copy) keys the buffer: repeated literals share one buffer
            # and a model weight inlined as a literal keeps its name.
            return {"lit": {"$buffer": self.buffer(a.val)}, "aval": aval}
        return {"var": self._var_ids[a]}

    @staticmethod
    def scalar(val: np.ndarray) -> Any:
        item = val.item()
        if isinstance(item, bool):
            return item
        if isinstance(item, int):
            return _int_json(item)
        if isinstance(item, float):
            # Literal dtypes come from the aval, so integral floats can stay bare here, but only
            # where a bare integer is exact for every reader (|x| <= 2^53 - 1; the schema's rule).
            bare = math.isfinite(item) and item != 0.0 and (not item.is_integer() or abs(item) <= MAX_SAFE_INT)
            return item if bare else _float_json(item)
        raise CaptureError(f"literal of type {type(item).__name__} cannot be encoded")

    # -- source locations ------------------------------------------------------------------
    def _file(self, name: str) -> int:
        if name not in self._file_ids:
            self._file_ids[name] = len(self.files)
            self.files.append(notebook_cell_name(name) or name)
        return self._file_ids[name]

    def _frame(self, f: Any) -> dict[str, Any]:
        return {"file": self._file(f.file_name), "line": int(f.start_line), "col": int(f.start_column), "fn": f.function_name}

    def source(self, source_info: Any) -> dict[str, Any]:
        known = self._sources.get(id(source_info))
        # The entry holds source_info itself, so its id cannot be reused while the writer lives.
        if known is not None and known[0] is source_info:
            return known[1]
        out = self._source(source_info)
        self._sources[id(source_info)] = (source_info, out)
        return out

    def _source(self, source_info: Any) -> dict[str, Any]:
        # JAX's user_frames, less its work: frames are classified once per code object (a
        # capture's eqns share a few hundred) and only the two frames kept are decoded.
        tb = source_info.traceback
        codes, lastis = tb.raw_frames() if tb else ([], [])
        first = user = None
        for code, lasti in zip(codes, lastis):
            kind = self._code_kinds.get(code)
            if kind is None:
                kind = self._code_kinds[code] = _code_kind(code.co_filename)
            if kind == _SKIPPED:
                continue
            frame = (code, lasti)
            first = first or frame
            if kind == _USER:
                user = frame  # the same object as `first` when the innermost frame is the user's
                break
        if first is None:
            return {}
        user = user or first
        out = {"src": self._frame(source_info_util.raw_frame_to_frame(*user))}
        if first is not user:
            out["lib"] = self._frame(source_info_util.raw_frame_to_frame(*first))
        return out

    @staticmethod
    def scope(source_info: Any) -> list[str]:
        stack = getattr(source_info.name_stack, "stack", ())
        return [s.name for s in stack if type(s).__name__ == "Scope"]

    # -- params ----------------------------------------------------------------------------
    def param(self, v: Any) -> Any:
        # Most param values are of a few types (ints, tuples, dtypes, jaxprs, named tuples):
        # the encoding `_param_encoder` chose for a type is kept for it (~40% of the header's time).
        encode = _PARAM_ENCODERS.get(type(v))
        if encode is None:
            encode, by_type = _param_encoder(v)
            if by_type:
                _PARAM_ENCODERS[type(v)] = encode
        return encode(self, v)

    # -- jaxprs ----------------------------------------------------------------------------
    def eqn(self, e: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "prim": e.primitive.name,
            "in": [self.atom(a) for a in e.invars],
            "params": {k: self.param(v) for k, v in e.params.items() if k not in DROPPED_PARAMS},
        }
        out["out"] = [self.var(v) for v in e.outvars]
        out["scope"] = self.scope(e.source_info)
        out.update(self.source(e.source_info))
        fn = function_call(e.params.get("name")) if e.primitive.name == "jit" else None
        if fn is not None:
            out["fn"] = fn
        return out

    def jaxpr(self, closed: Any) -> dict[str, Any]:
        j = closed.jaxpr
        constvars = []
        for v, c in zip(j.constvars, closed.consts):
            constvars.append({**self.var(v), "buffer": self.buffer(c)})
        invars = [self.var(v) for v in j.invars]
        eqns = [self.eqn(e) for e in j.eqns]
        return {"invars": invars, "constvars": constvars, "outvars": [self.atom(a) for a in j.outvars], "eqns": eqns}

    def header(self, closed: Any, *, model: dict[str, Any], producer: dict[str, str]) -> dict[str, Any]:
        body = self.jaxpr(closed)
        return {
            "format": FORMAT,
            "version": VERSION,
            "producer": producer,
            "model": model,
            "files": self.files,
            "buffers": self.buffer_infos,
            "jaxpr": body,
        }

    def inline_arrays(self) -> list[np.ndarray]:
        return [a for a, info in zip(self.buffers, self.buffer_infos) if info["storage"] == "inline"]


# -- param encoders ----------------------------------------------------------------------------
# Each takes (writer, value). `_param_encoder` picks one for a value, in the order the cases must
# be tried (bool before int, Enum before int), and says whether the choice holds for every value
# of the value's type, so that `CaptureWriter.param` may keep it per type.
_Encoder = Callable[["CaptureWriter", Any], Any]


def _as_is(_w: CaptureWriter, v: Any) -> Any:
    return v


def _bool(_w: CaptureWriter, v: Any) -> Any:
    return bool(v)


def _int(_w: CaptureWriter, v: Any) -> Any:
    return _int_json(int(v))


def _float(_w: CaptureWriter, v: Any) -> Any:
    return _float_json(float(v))


def _dtype(_w: CaptureWriter, v: Any) -> Any:
    return {"$dtype": dtype_name(v)}


def _dtype_of(_w: CaptureWriter, v: Any) -> Any:
    return {"$dtype": dtype_name(v.dtype)}


def _closed_jaxpr(w: CaptureWriter, v: Any) -> Any:
    return {"$jaxpr": w.jaxpr(v)}


def _open_jaxpr(w: CaptureWriter, v: Any) -> Any:
    if v.constvars:
        return {"$opaque": "Jaxpr with unbound constvars"}
    return {"$jaxpr": w.jaxpr(jex_core.ClosedJaxpr(v, []))}


def _dim(_w: CaptureWriter, v: Any) -> Any:
    return {"$dim": str(v)}


def _enum(_w: CaptureWriter, v: Any) -> Any:
    return {"$enum": type(v).__name__, "name": v.name}


def _callback(_w: CaptureWriter, v: Any) -> Any:
    # A pure_callback's Python function, by name only: a rule can recognise it (eqx.error_if's)
    # but nothing can call it.
    fn = v.callback_func
    return {"$struct": "callback", "module": getattr(fn, "__module__", "") or "", "name": getattr(fn, "__qualname__", type(fn).__name__)}


def _has_callback(v: Any) -> bool:
    return callable(getattr(v, "callback_func", None))


def _named_tuple(w: CaptureWriter, v: Any) -> Any:
    return {"$struct": type(v).__name__, **{f: w.param(getattr(v, f)) for f in v._fields}}


def _dataclass(w: CaptureWriter, v: Any) -> Any:
    if _has_callback(v):  # an instance attribute, so asked of each value
        return _callback(w, v)
    return {"$struct": type(v).__name__, **{f.name: w.param(getattr(v, f.name)) for f in dataclasses.fields(v)}}


def _sequence(w: CaptureWriter, v: Any) -> Any:
    return [w.param(x) for x in v]


def _dict(w: CaptureWriter, v: Any) -> Any:
    return {"$dict": {k: w.param(x) for k, x in v.items()}}


def _array(w: CaptureWriter, v: Any) -> Any:
    return {"$buffer": w.buffer(v)}


def _opaque(_w: CaptureWriter, v: Any) -> Any:
    return {"$opaque": type(v).__name__}


def _param_encoder(v: Any) -> tuple[_Encoder, bool]:
    if v is None or isinstance(v, (bool, str)):
        return _as_is, True
    if isinstance(v, np.bool_):
        return _bool, True
    if isinstance(v, (int, np.integer)) and not isinstance(v, enum.Enum):
        return _int, True
    if isinstance(v, (float, np.floating)):
        return _float, True
    if isinstance(v, np.dtype):
        return _dtype, True
    if isinstance(v, type):
        # A class: what it is depends on the class, not on its type (`type`).
        if issubclass(v, np.generic):
            return _dtype, False
        if isinstance(getattr(v, "dtype", None), np.dtype):
            # jnp.float32 and friends are not numpy scalar types but carry their dtype.
            return _dtype_of, False
    if isinstance(v, jex_core.ClosedJaxpr):
        return _closed_jaxpr, True
    if isinstance(v, jex_core.Jaxpr):
        return _open_jaxpr, True
    if type(v).__name__ == "_DimExpr":
        return _dim, True
    if isinstance(v, enum.Enum):
        return _enum, True
    if _has_callback(v):
        return _callback, False
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        # Named tuples have no instance attributes beyond their fields.
        return _named_tuple, "callback_func" not in v._fields
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return _dataclass, True
    if isinstance(v, (tuple, list)):
        # Only the built-in types are sure to carry no callback attribute.
        return _sequence, type(v) in (tuple, list)
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return _dict, False
    if isinstance(v, (np.ndarray, jax.Array)):
        return _array, False
    return _opaque, False


_PARAM_ENCODERS: dict[type, _Encoder] = {}


# -- container ---------------------------------------------------------------------------
def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def array_bytes(arr: np.ndarray) -> memoryview:
    """The array's bytes without copying when it is C-contiguous (any dtype, ml_dtypes too)."""
    arr = np.ascontiguousarray(arr)
    return memoryview(arr.reshape(-1).view(np.uint8))


def container_parts(header: dict[str, Any], arrays: Iterable[np.ndarray]) -> list[bytes | memoryview]:
    """The container as a list of parts (buffers are views of the arrays, not copies)."""
    # orjson: 0.11 ms for a ViT's 60 KB header, the standard library's json 2.1 ms. The writer tags
    # every non-finite float and every integer beyond 2^53 itself ({"$float"}, {"$int"}): floats
    # reach the header only through _float_json and scalar(). STRICT_INTEGER makes an untagged big
    # integer an error rather than a number readers lose; orjson has no such check for NaN (it
    # would write null), which the tagging makes moot.
    head = orjson.dumps(header, option=orjson.OPT_STRICT_INTEGER)
    parts: list[bytes | memoryview] = [MAGIC + VERSION.to_bytes(2, "little") + len(head).to_bytes(4, "little"), head]
    at = PREFIX + len(head)
    for arr in arrays:
        pad = _align(at) - at
        if pad:
            parts.append(b"\0" * pad)
        at += pad
        data = array_bytes(arr)
        parts.append(data)
        at += data.nbytes
    return parts


def write_container(out: IO[bytes], header: dict[str, Any], arrays: Iterable[np.ndarray]) -> None:
    for part in container_parts(header, arrays):
        out.write(part)


def read_container(data: bytes | memoryview) -> tuple[dict[str, Any], list[memoryview]]:
    """Splits a container into its header and the inline buffers' bytes."""
    view = memoryview(data)
    if bytes(view[:6]) != MAGIC:
        raise CaptureError("not a jax2onnx-lab capture (missing J2OCAP magic)")
    version = int.from_bytes(view[6:8], "little")
    if version != VERSION:
        raise CaptureError(f"capture version {version} is not supported (expected {VERSION})")
    length = int.from_bytes(view[8:12], "little")
    header = json.loads(bytes(view[PREFIX : PREFIX + length]).decode("utf-8"))
    blobs = []
    at = _align(PREFIX + length)
    for info in header["buffers"]:
        if info["storage"] != "inline":
            continue
        blobs.append(view[at : at + info["byteLength"]])
        at = _align(at + info["byteLength"])
    return header, blobs
