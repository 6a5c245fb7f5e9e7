"""Checks for test_interchange.py: a capture's header, read back after the TypeScript converter
decoded and re-encoded it, walked side by side with the original JAX objects.

The expectations come from JAX (the ClosedJaxpr, its Vars, Literals, params and consts) and from
docs/interchange.md, never from the Python writer's own output: a value the writer or the
TypeScript decoder/encoder lost or changed shows up as a mismatch against what JAX holds.
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import json
import math
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import jsonschema
import numpy as np
from jax._src import source_info_util
from jax.extend import core as jcore

from jax2onnx_lab._functions import function_call
from jax2onnx_lab._interchange import read_container
from jax2onnx_lab._node import request

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "interchange.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

# docs/interchange.md, "Dropped params": params with no meaning for ONNX that are not data.
DROPPED = frozenset(
    {
        "jvp_jaxpr_fun", "jvp_jaxpr_thunk", "fwd_jaxpr_thunk", "bwd", "out_trees",
        "ctx_mesh", "in_shardings", "out_shardings", "in_layouts", "out_layouts",
        "compiler_options_kvs", "sharding", "out_sharding",
    }
)
MAX_SAFE_INT = 2**53 - 1


def validate(header: dict[str, Any]) -> None:
    """Fails with every schema violation listed, each with its JSON path."""
    errors = sorted(VALIDATOR.iter_errors(header), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{e.json_path}: {e.message[:300]}" for e in errors[:20])


def container_bytes(parts: list[Any]) -> bytes:
    return b"".join(bytes(p) for p in parts)


def roundtrip(parts: list[Any]) -> tuple[dict[str, Any], dict[int, bytes], bytes]:
    """Sends a container through the converter's decode + encode; returns the header read back,
    the inline buffers' bytes by buffer-table index, and the container bytes."""
    reply, payload = request({"op": "roundtrip"}, parts)
    assert reply.get("ok"), reply
    data = bytes(payload)
    header, blobs = read_container(data)
    inline = [i for i, b in enumerate(header["buffers"]) if b["storage"] == "inline"]
    assert len(inline) == len(blobs)
    return header, {i: bytes(b) for i, b in zip(inline, blobs)}, data


def convert_error(data: bytes) -> dict[str, Any]:
    """The error the converter's "convert" op replies for `data` (which must be rejected)."""
    reply, _ = request({"op": "convert"}, [data])
    assert not reply.get("ok"), reply
    return reply["error"]


def json_float(x: Any) -> float:
    if isinstance(x, dict):
        assert set(x) == {"$float"}, x
        t = x["$float"]
        if isinstance(t, str):
            return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0": -0.0}[t]
        return float(t)
    assert isinstance(x, (int, float)) and not isinstance(x, bool), x
    return float(x)


def same_float(a: float, b: float) -> bool:
    """Bit-level equality for Python floats: NaN equals NaN, and 0.0 differs from -0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def array_of(value: Any) -> np.ndarray:
    # Not np.ascontiguousarray alone: it turns a 0-d array into shape (1,).
    arr = np.asarray(value)
    return arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)


class Lossless:
    """Walks a ClosedJaxpr and a header's `jaxpr` side by side; fails on the first difference.

    `data` maps buffer index -> bytes for the buffers whose bytes came back (host buffers have
    none: only their dtype, shape and size are checked). Afterwards, `prims`, `tags` and `opaque`
    tell what the walk saw, so tests can also check that a program covers what it should.
    """

    def __init__(self, header: dict[str, Any], data: dict[int, bytes], *, test_file: str | None = None):
        self.header = header
        self.data = data
        self.files: list[str] = header["files"]
        self.test_file = test_file
        self.ids: dict[Any, int] = {}  # JAX Var (identity hash) -> id
        self.owners: dict[int, Any] = {}  # id -> JAX Var, or a DropVar marker
        self.used_buffers: set[int] = set()
        self.prims: collections.Counter[str] = collections.Counter()
        self.tags: collections.Counter[str] = collections.Counter()
        self.opaque: list[str] = []
        self.scopes: list[tuple[str, list[str]]] = []
        self.functions: list[str] = []
        self.sources: list[tuple[str, dict[str, Any]]] = []
        self.literals: list[tuple[str, Any]] = []

    # -- entry ---------------------------------------------------------------------------------
    def check(self, closed: Any) -> "Lossless":
        self.closed(closed, self.header["jaxpr"], "$.jaxpr")
        unused = set(range(len(self.header["buffers"]))) - self.used_buffers
        assert not unused, f"buffers {sorted(unused)} are referenced by nothing"
        return self

    # -- buffers -------------------------------------------------------------------------------
    def buffer(self, index: int, value: Any, path: str) -> None:
        assert isinstance(index, int) and 0 <= index < len(self.header["buffers"]), f"{path}: bad buffer {index}"
        self.used_buffers.add(index)
        arr = array_of(value)
        info = self.header["buffers"][index]
        assert info["dtype"] == arr.dtype.name, f"{path}: buffer dtype {info['dtype']} != {arr.dtype.name}"
        assert info["shape"] == list(arr.shape), f"{path}: buffer shape {info['shape']} != {list(arr.shape)}"
        assert info["byteLength"] == arr.nbytes, f"{path}: byteLength {info['byteLength']} != {arr.nbytes}"
        if info["storage"] == "inline":
            assert self.data[index] == arr.tobytes(), f"{path}: buffer {index} bytes differ from the JAX value"
        else:
            assert info["storage"] == "host" and index not in self.data, f"{path}: host buffer {index} came with bytes"

    # -- vars and atoms ------------------------------------------------------------------------
    def aval(self, aval: Any, j: dict[str, Any], path: str) -> None:
        want_shape = [int(d) if isinstance(d, (int, np.integer)) else str(d) for d in aval.shape]
        assert j["shape"] == want_shape, f"{path}.shape: {j['shape']} != {want_shape}"
        for d, jd in zip(aval.shape, j["shape"]):
            assert isinstance(jd, int) == isinstance(d, (int, np.integer)), f"{path}.shape: {jd!r} vs {d!r}"
        assert j["dtype"] == np.dtype(aval.dtype).name, f"{path}.dtype: {j['dtype']} != {aval.dtype}"
        assert bool(j.get("weak", False)) == bool(getattr(aval, "weak_type", False)), f"{path}.weak"

    def define(self, v: Any, j: dict[str, Any], scope: set[Any], path: str) -> None:
        jid = j["id"]
        self.aval(v.aval, j["aval"], f"{path}.aval")
        if isinstance(v, jcore.DropVar):
            assert j.get("drop") is True, f"{path}: a DropVar must be marked drop"
            assert jid not in self.owners, f"{path}: drop var reuses id {jid}"
            self.owners[jid] = ("drop", path)
            return
        assert "drop" not in j, f"{path}: only DropVars are marked drop"
        if v in self.ids:
            # The same Var object (a jaxpr JAX shares between two eqns) keeps its id.
            assert self.ids[v] == jid, f"{path}: var had id {self.ids[v]}, now {jid}"
        else:
            assert jid not in self.owners, f"{path}: id {jid} already names another var ({self.owners[jid]})"
            self.ids[v] = jid
            self.owners[jid] = v
        scope.add(v)

    def atom(self, a: Any, j: dict[str, Any], scope: set[Any], path: str) -> None:
        if isinstance(a, jcore.Literal):
            assert set(j) == {"lit", "aval"}, f"{path}: {j}"
            self.aval(a.aval, j["aval"], f"{path}.aval")
            val = np.asarray(a.val)
            # docs/interchange.md: complex scalars travel as 0-d buffers, like array literals.
            if val.ndim == 0 and val.dtype.kind != "c":
                self.scalar(val.item(), j["lit"], np.dtype(a.aval.dtype), f"{path}.lit")
            else:
                assert set(j["lit"]) == {"$buffer"}, f"{path}.lit: {j['lit']}"
                self.tags["$buffer(literal)"] += 1
                self.buffer(j["lit"]["$buffer"], a.val, f"{path}.lit")
            self.literals.append((path, a.val))
            return
        assert set(j) == {"var"}, f"{path}: {j}"
        assert a in scope, f"{path}: JAX var not in scope (test bug)"
        assert j["var"] == self.ids[a], f"{path}: refers to id {j['var']}, JAX var has id {self.ids[a]}"

    def scalar(self, want: Any, j: Any, dtype: np.dtype, path: str) -> None:
        if isinstance(want, bool):
            assert j is want, f"{path}: {j!r} != {want!r}"
        elif isinstance(want, int):
            if abs(want) > MAX_SAFE_INT:
                assert j == {"$int": str(want)}, f"{path}: {j!r} != {want}"
                self.tags["$int(literal)"] += 1
            else:
                assert type(j) is int and j == want, f"{path}: {j!r} != {want}"
        elif isinstance(want, float):
            if not math.isfinite(want) or (want == 0 and math.copysign(1, want) < 0):
                self.tags["$float(literal)"] += 1
                assert isinstance(j, dict), f"{path}: {want!r} must be tagged, got {j!r}"
            got = json_float(j)
            # The aval's dtype says the literal is a float: a bare integral number is fine.
            # jnp.issubdtype: numpy's does not count ml_dtypes' bfloat16 and float8s as floating.
            assert jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.complexfloating), f"{path}: float literal of dtype {dtype}"
            assert same_float(got, want), f"{path}: {j!r} != {want!r}"
        else:
            raise AssertionError(f"{path}: literal {want!r} of type {type(want).__name__}")

    # -- params --------------------------------------------------------------------------------
    def param(self, v: Any, j: Any, path: str) -> None:
        if v is None:
            assert j is None, f"{path}: {j!r} != None"
        elif isinstance(v, (bool, np.bool_)):
            assert j is bool(v), f"{path}: {j!r} != {v!r}"
        elif isinstance(v, enum.Enum):
            self.tags["$enum"] += 1
            assert j == {"$enum": type(v).__name__, "name": v.name}, f"{path}: {j!r} != {v!r}"
        elif isinstance(v, (int, np.integer)):
            n = int(v)
            if abs(n) > MAX_SAFE_INT:
                self.tags["$int"] += 1
                assert j == {"$int": str(n)}, f"{path}: {j!r} != {n}"
            else:
                assert type(j) is int and j == n, f"{path}: {j!r} != {n}"
        elif isinstance(v, (float, np.floating)):
            f = float(v)
            if not math.isfinite(f) or f.is_integer():
                # The integral-float rule: a bare integral number would read back as an int.
                self.tags["$float"] += 1
                assert isinstance(j, dict), f"{path}: float {f!r} must be tagged, got {j!r}"
            else:
                assert type(j) is float, f"{path}: {j!r} for float {f!r}"
            assert same_float(json_float(j), f), f"{path}: {j!r} != {f!r}"
        elif isinstance(v, str):
            assert j == v, f"{path}: {j!r} != {v!r}"
        elif isinstance(v, np.dtype) or (isinstance(v, type) and isinstance(getattr(v, "dtype", None), np.dtype)) or (
            isinstance(v, type) and issubclass(v, np.generic)
        ):
            self.tags["$dtype"] += 1
            assert j == {"$dtype": np.dtype(v).name}, f"{path}: {j!r} != {v!r}"
        elif isinstance(v, jcore.ClosedJaxpr):
            self.tags["$jaxpr"] += 1
            assert isinstance(j, dict) and set(j) == {"$jaxpr"}, f"{path}: {str(j)[:200]}"
            self.closed(v, j["$jaxpr"], f"{path}.$jaxpr")
        elif isinstance(v, jcore.Jaxpr):
            self.tags["$jaxpr"] += 1
            assert not v.constvars
            self.closed(jcore.ClosedJaxpr(v, []), j["$jaxpr"], f"{path}.$jaxpr")
        elif type(v).__name__ == "_DimExpr":
            self.tags["$dim"] += 1
            assert j == {"$dim": str(v)}, f"{path}: {j!r} != {v}"
        elif isinstance(v, tuple) and hasattr(v, "_fields"):
            self.struct(v, list(v._fields), j, path)
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            self.struct(v, [f.name for f in dataclasses.fields(v)], j, path)
        elif isinstance(v, (tuple, list)):
            assert isinstance(j, list) and len(j) == len(v), f"{path}: {j!r} vs {v!r}"
            for i, (x, jx) in enumerate(zip(v, j)):
                self.param(x, jx, f"{path}[{i}]")
        elif isinstance(v, dict):
            self.tags["$dict"] += 1
            assert isinstance(j, dict) and set(j) == {"$dict"} and list(j["$dict"]) == list(v), f"{path}: {j!r}"
            for k, x in v.items():
                self.param(x, j["$dict"][k], f"{path}.{k}")
        elif isinstance(v, (np.ndarray, jax.Array)):
            self.tags["$buffer"] += 1
            assert isinstance(j, dict) and set(j) == {"$buffer"}, f"{path}: {j!r}"
            self.buffer(j["$buffer"], v, path)
        else:
            self.tags["$opaque"] += 1
            self.opaque.append(path)
            assert j == {"$opaque": type(v).__name__}, f"{path}: {j!r} for a {type(v).__name__}"

    def struct(self, v: Any, fields: list[str], j: Any, path: str) -> None:
        self.tags["$struct"] += 1
        assert isinstance(j, dict) and j.get("$struct") == type(v).__name__, f"{path}: {j!r} != {v!r}"
        assert list(j) == ["$struct", *fields], f"{path}: fields {list(j)} != {fields}"
        for f in fields:
            self.param(getattr(v, f), j[f], f"{path}.{f}")

    # -- eqns and jaxprs -----------------------------------------------------------------------
    def eqn(self, e: Any, j: dict[str, Any], scope: set[Any], path: str) -> None:
        assert j["prim"] == e.primitive.name, f"{path}: prim {j['prim']} != {e.primitive.name}"
        self.prims[e.primitive.name] += 1
        assert len(j["in"]) == len(e.invars), f"{path}.in"
        for i, (a, ja) in enumerate(zip(e.invars, j["in"])):
            self.atom(a, ja, scope, f"{path}.in[{i}]")
        want = [k for k in e.params if k not in DROPPED]
        assert sorted(j["params"]) == sorted(want), f"{path}.params: {sorted(j['params'])} != {sorted(want)}"
        for k in want:
            self.param(e.params[k], j["params"][k], f"{path}.params.{k}")
        assert len(j["out"]) == len(e.outvars), f"{path}.out"
        for i, (v, jv) in enumerate(zip(e.outvars, j["out"])):
            self.define(v, jv, scope, f"{path}.out[{i}]")
        self.check_scope(e, j, path)
        self.check_source(e, j, path)
        want_fn = function_call(e.params.get("name")) if e.primitive.name == "jit" else None
        assert j.get("fn") == want_fn, f"{path}.fn: {j.get('fn')} != {want_fn}"
        if want_fn:
            self.functions.append(want_fn["name"])

    def check_scope(self, e: Any, j: dict[str, Any], path: str) -> None:
        stack = e.source_info.name_stack
        if all(isinstance(s, source_info_util.Scope) for s in stack.stack):
            # Without transforms (jvp, transpose, ...) the name stack's text is the scope path.
            assert "/".join(j["scope"]) == str(stack), f"{path}.scope: {j['scope']} != {str(stack)!r}"
        else:
            assert j["scope"] == [s.name for s in stack.stack if isinstance(s, source_info_util.Scope)], f"{path}.scope"
        self.scopes.append((e.primitive.name, j["scope"]))

    def loc(self, j: dict[str, Any]) -> tuple[str, int, int, str]:
        return (self.files[j["file"]], j["line"], j.get("col", -1), j.get("fn", ""))

    def check_source(self, e: Any, j: dict[str, Any], path: str) -> None:
        tb = e.source_info.traceback
        frames = list(source_info_util.user_frames(tb)) if tb is not None else []
        if "src" in j:
            got = self.loc(j["src"])
            assert got in [(f.file_name, f.start_line, f.start_column, f.function_name) for f in frames], f"{path}.src: {got} is no frame of the eqn"
            self.sources.append((e.primitive.name, {"src": got, **({"lib": self.loc(j["lib"])} if "lib" in j else {})}))
        else:
            assert "lib" not in j, f"{path}: lib without src"
        if self.test_file and frames and frames[0].file_name == self.test_file:
            # JAX's innermost user frame is this test file: it is the eqn's src, and no lib.
            f = frames[0]
            assert j.get("src") and self.loc(j["src"]) == (f.file_name, f.start_line, f.start_column, f.function_name), f"{path}.src: {j.get('src')} != {f}"
            assert "lib" not in j, f"{path}.lib: {j['lib']}"

    def closed(self, closed: Any, j: dict[str, Any], path: str) -> None:
        jaxpr = closed.jaxpr
        scope: set[Any] = set()
        assert len(j["constvars"]) == len(jaxpr.constvars) == len(closed.consts), f"{path}.constvars"
        for i, (v, c, jv) in enumerate(zip(jaxpr.constvars, closed.consts, j["constvars"])):
            p = f"{path}.constvars[{i}]"
            self.define(v, {k: x for k, x in jv.items() if k != "buffer"}, scope, p)
            self.buffer(jv["buffer"], c, f"{p}.buffer")
        assert len(j["invars"]) == len(jaxpr.invars), f"{path}.invars"
        for i, (v, jv) in enumerate(zip(jaxpr.invars, j["invars"])):
            self.define(v, jv, scope, f"{path}.invars[{i}]")
        assert len(j["eqns"]) == len(jaxpr.eqns), f"{path}.eqns: {len(j['eqns'])} != {len(jaxpr.eqns)}"
        for i, (e, je) in enumerate(zip(jaxpr.eqns, j["eqns"])):
            self.eqn(e, je, scope, f"{path}.eqns[{i}]")
        assert len(j["outvars"]) == len(jaxpr.outvars), f"{path}.outvars"
        for i, (a, ja) in enumerate(zip(jaxpr.outvars, j["outvars"])):
            self.atom(a, ja, scope, f"{path}.outvars[{i}]")
