"""Interchange format v1 (docs/interchange.md) against real JAX programs.

Every program is captured, its header validated against docs/interchange.schema.json, sent
through the TypeScript converter's decode + re-encode ("roundtrip" op), and the header read back
is checked lossless against the original ClosedJaxpr (interchange_check.Lossless): prims,
atoms, avals, params, nested jaxprs, consts and literals byte for byte, source and scope.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import math
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax import lax
from jax._src import config as jax_config
from jax.extend import core as jcore

from interchange_check import DROPPED, Lossless, container_bytes, convert_error, roundtrip, validate
from jax2onnx_lab import onnx_function
from jax2onnx_lab._capture import capture
from jax2onnx_lab._interchange import ALIGN, DROPPED_PARAMS, MAGIC, VERSION, CaptureWriter, container_parts, read_container

HERE = __file__
f32 = jnp.float32


def src_line(marker: str) -> int:
    """The line of this file that carries `# SRC:<marker>`."""
    with open(HERE) as f:
        lines = [i for i, line in enumerate(f, 1) if line.rstrip().endswith(f"# SRC:{marker}")]
    assert len(lines) == 1, marker
    return lines[0]


# -- programs ------------------------------------------------------------------------------------
W3 = jnp.array([0.5, -1.25, 3.0], dtype=f32)


def scan_program(x):
    # A const (W3) closed over by the body, a symbolic scan length (B), reverse=True.
    def body(c, row):
        y = c * W3 + row
        return y, jnp.sum(y)

    c, ys = lax.scan(body, jnp.zeros(3, f32), x, reverse=True)
    return c, ys


def while_program(x):
    def cond(s):
        return s[0] < 5

    def body(s):
        i, v = s
        return i + 1, v * 1.5 + W3

    return lax.while_loop(cond, body, (0, x))[1]


def fori_program(x):
    # Static bounds: JAX lowers fori_loop to scan (with an int carry), not while.
    return lax.fori_loop(0, 4, lambda i, v: v + i.astype(f32), x)


def cond_program(x):
    return lax.cond(jnp.sum(x) > 0, lambda y: jnp.sin(y) * 2.0, lambda y: -y, x)


def switch_program(x, i):
    return lax.switch(i, [jnp.sin, jnp.cos, lambda y: y * 3.0], x)


def gather_program(x, idx):
    a = x[idx]  # SRC:gather
    b = jnp.take(x, idx, axis=0, mode="fill", fill_value=-1.0)
    return a + b


def scatter_program(x, idx, y):
    a = x.at[idx].set(y)
    b = x.at[idx].add(y, mode="drop")
    return a, b


def conv_program(x, w):
    return lax.conv_general_dilated(
        x, w, window_strides=(1, 2), padding=((1, 1), (0, 2)), rhs_dilation=(1, 1),
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
    )


def symbolic_program(x):
    b = x.shape[0]
    flat = x.reshape(-1, 3)  # (4*B, 3)
    ids = jnp.arange(b)  # iota with a symbolic dimension
    z = jnp.zeros((2 * b, 3), f32)
    return flat, ids, jnp.concatenate([flat, z], axis=0)


@jax.jit
def inner_jit(y):
    return jnp.tanh(y) + 1.0


def nested_jit_program(x):
    @jax.jit
    def outer(y):
        return inner_jit(y) * jax.jit(jnp.exp)(y)

    return outer(x) + inner_jit(x)  # inner_jit twice: JAX shares its ClosedJaxpr


@jax.custom_vjp
def clipped_sin(x):
    return jnp.sin(x)


def _clipped_sin_fwd(x):
    return jnp.sin(x), jnp.cos(x)


def _clipped_sin_bwd(res, g):
    return (jnp.clip(res * g, -1.0, 1.0),)


clipped_sin.defvjp(_clipped_sin_fwd, _clipped_sin_bwd)


def custom_program(x):
    return jax.nn.relu(x) + clipped_sin(x)


def scope_program(x):
    with jax.named_scope("encoder"):
        y = jnp.sin(x)  # SRC:scoped_sin
        with jax.named_scope("block_0"):
            y = jax.jit(lambda a: a * 3.0)(y)
    with jax.named_scope("head"):
        return jnp.cos(y)


def special_floats_program(x):
    y = jnp.where(jnp.isnan(x), jnp.inf, x)
    return y * -0.0 + jnp.nan - jnp.inf, x * 0.1, x + 2.0


def literal_output_program(x):
    return x * 2.0, 3.0, True


def argmax_program(x):
    return jnp.argmax(x, axis=1), jnp.argmin(x, axis=0), lax.cumsum(x, axis=1, reverse=True)


def consts_program(x):
    table = jnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=f32)
    ints = jnp.array([7, -8, 9], dtype=jnp.int32)
    return x @ table.T + table[0, 0], (x * ints).astype(jnp.int32), x + np.arange(3, dtype=np.float32)


def misc_params_program(x):
    a = lax.reduce_window(x, -jnp.inf, lax.max, (1, 2), (1, 1), "SAME")
    b = lax.pad(x, 0.0, ((1, -1, 0), (0, 0, 1)))
    c = lax.dynamic_slice(x, (1, 0), (2, 2))
    d = jnp.sort(x, axis=0)
    e = jnp.einsum("ij,kj->ik", x, x, preferred_element_type=f32)
    vals, _ = lax.top_k(x, 2)
    g = jnp.split(x, [1], axis=1)[0]
    h = lax.reduce_precision(x, exponent_bits=5, mantissa_bits=10)
    return a, b, c, d, e, vals, g, h, x.astype(jnp.bfloat16)


def x64_program(x):
    big = x + np.int64(2**60)
    u32 = x.astype(jnp.uint32) + np.uint32(4_000_000_000)
    u64 = x.astype(jnp.uint64) * np.uint64(2**63 + 5)
    neg = x - np.int64(-(2**62))
    return big, u32, u64, neg, x.astype(jnp.float64) * 0.1


class Mode(enum.Enum):
    FAST = "fast"
    EXACT = "exact"


@dataclasses.dataclass(frozen=True)
class Window:
    size: int
    scale: float


class HashableArray(np.ndarray):
    """Params must be hashable since JAX 0.7; a user primitive can still carry an array."""

    def __hash__(self) -> int:
        return id(self)


class HashableDict(dict):
    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)


probe_p = jcore.Primitive("probe")
probe_p.def_abstract_eval(lambda x, **params: x)
PROBE_ARRAY = np.arange(6, dtype=np.int16).reshape(2, 3).view(HashableArray)


def probe_program(x):
    # A user primitive whose params exercise every tag the lax primitives above do not.
    return probe_p.bind(
        x,
        table=PROBE_ARRAY,
        options=HashableDict(alpha=1, beta=(2.5, None), gamma=Mode.EXACT),
        callback=len,
        big=2**60,
        negative_zero=-0.0,
        integral=3.0,
        single=np.float32(0.1),
        scalar_type=jnp.bfloat16,
        numpy_type=np.int8,
        mode=Mode.FAST,
        window=Window(3, 0.5),
        sharding="not data: dropped by name",
        numpy_int=np.int64(7),
        numpy_bool=np.bool_(True),
        text="ünïcode ✓",
        nested=((1, (2.0, -3)), ()),
    )


class MLP(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(4, 16, rngs=rngs)
        self.linear2 = nnx.Linear(16, 2, rngs=rngs)

    def __call__(self, x):
        return self.linear2(jax.nn.gelu(self.linear1(x)))  # SRC:mlp_call


def simplified_constants() -> Any:
    # JAX's experimental mode where closed-over arrays become array Literals, not constvars.
    return jax_config.use_simplified_jaxpr_constants(True)


SHARED = jnp.array([1.0, -2.0, 4.0], dtype=f32)


@onnx_function(name="Scaled")
def _scaled(x, w):
    return jnp.tanh(x) * w


class _Block(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.array([1.0, 2.0, 3.0], dtype=f32))

    @onnx_function
    def __call__(self, x):
        return _scaled(x, self.w[...]) + 1.0


def onnx_function_program(x):
    # Two calls of a method function (one nested call each) and a direct call.
    block = _Block()
    return _scaled(block(block(x)), SHARED)


def array_literal_program(x):
    return x + SHARED, x * SHARED  # the same array twice: one buffer


@dataclasses.dataclass
class Program:
    name: str
    fn: Callable[..., Any]
    inputs: list[Any]
    prims: tuple[str, ...] = ()  # primitives the capture must contain (at any depth)
    tags: tuple[str, ...] = ()  # encodings it must use
    context: Callable[[], Any] = contextlib.nullcontext
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    opaque: tuple[str, ...] = ()  # params allowed to be opaque


def i32(*shape: Any) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(shape, jnp.int32)


PROGRAMS = [
    Program("scan", scan_program, [("B", 3)], ("scan", "reduce_sum"), ("$jaxpr", "$dim")),
    Program("while", while_program, [(3,)], ("while", "lt"), ("$jaxpr",)),
    Program("fori", fori_program, [(3,)], ("scan", "convert_element_type"), ("$jaxpr", "$dtype")),
    Program("cond", cond_program, [(3,)], ("cond", "sin", "neg"), ("$jaxpr",)),
    Program("switch", switch_program, [(3,), i32()], ("cond", "clamp"), ("$jaxpr",)),
    Program("gather", gather_program, [(5, 3), i32(4)], ("gather",), ("$struct", "$enum", "$float")),
    Program("scatter", scatter_program, [("B", 3), i32(4), (4, 3)], ("scatter", "scatter-add"), ("$struct", "$enum")),
    Program("conv", conv_program, [("B", 8, 8, 3), (3, 3, 3, 4)], ("conv_general_dilated",), ("$struct",)),
    Program("symbolic", symbolic_program, [("B", 4, 3)], ("reshape", "iota", "broadcast_in_dim", "concatenate"), ("$dim", "$dtype")),
    Program("nested_jit", nested_jit_program, [("B", 3)], ("jit", "tanh", "exp"), ("$jaxpr",)),
    Program("custom_jvp_vjp", custom_program, [(3,)], ("custom_jvp_call", "custom_vjp_call", "sin"), ("$jaxpr",)),
    Program("named_scope", scope_program, [(3,)], ("jit", "sin", "cos")),
    Program("special_floats", special_floats_program, [(3,)], ("mul", "add", "sub"), ("$float(literal)",)),
    Program("literal_outputs", literal_output_program, [(3,)], ("mul",)),
    Program("argmax", argmax_program, [(3, 4)], ("argmax", "argmin", "cumsum"), ("$dtype",)),
    Program("consts", consts_program, [(2, 3)], ("dot_general", "transpose")),
    Program("misc_params", misc_params_program, [(4, 3)], ("reduce_window_max", "pad", "dynamic_slice", "sort", "dot_general", "top_k", "split", "reduce_precision"), ("$dtype",)),
    Program("x64", x64_program, [jax.ShapeDtypeStruct((3,), jnp.int64)], ("add", "mul", "sub"), ("$int(literal)",), context=lambda: jax.enable_x64(True)),
    Program("probe", probe_program, [(3,)], ("probe",), ("$buffer", "$dict", "$int", "$float", "$enum", "$struct", "$dtype", "$opaque"), opaque=("callback",)),
    Program("array_literal", array_literal_program, [(3,)], ("add", "mul"), ("$buffer(literal)",), context=simplified_constants),
    Program("onnx_function", onnx_function_program, [("B", 3)], ("jit", "tanh"), ("$jaxpr",)),
    Program("input_params", lambda x, scale: x * scale, [(3,)], ("mul",), kwargs={"input_params": {"scale": 2.0}}),
]


def run(program: Program, **kwargs: Any) -> tuple[Any, dict[str, Any], Lossless]:
    with program.context():
        cap = capture(program.fn, program.inputs, **program.kwargs, **kwargs)
    validate(cap.header)
    header, data, _ = roundtrip(cap.parts(all_inline=True))
    validate(header)
    check = Lossless(header, data, test_file=HERE).check(cap.closed_jaxpr)
    return cap, header, check


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_roundtrip_is_lossless(program: Program):
    cap, header, check = run(program)
    missing = [p for p in program.prims if p not in check.prims]
    assert not missing, f"{program.name} no longer contains {missing}; it has {sorted(check.prims)}"
    missing = [t for t in program.tags if t not in check.tags]
    assert not missing, f"{program.name} no longer uses {missing}; it uses {sorted(check.tags)}"
    unexpected = [p for p in check.opaque if not p.endswith(tuple("." + o for o in program.opaque))]
    assert not unexpected, f"params encoded as opaque: {unexpected}"
    assert header["format"] == "jax2onnx-lab.capture" and header["version"] == VERSION
    assert header["producer"]["jax"] == jax.__version__
    assert header["model"] == cap.header["model"]
    assert len(header["model"]["inputs"]) == len(cap.closed_jaxpr.jaxpr.invars)
    assert len(header["model"]["outputs"]) == len(cap.closed_jaxpr.jaxpr.outvars)


def test_the_check_sees_every_kind_of_change():
    """Lossless is not vacuous: each small change of a round-tripped header makes it fail."""
    import copy

    cases: dict[str, tuple[str, Callable[[dict[str, Any], dict[int, bytes]], None]]] = {
        "literal sign": ("special_floats", lambda h, d: eqns_named(h, "mul")[0]["in"][1].update(lit=0)),
        "literal value": ("special_floats", lambda h, d: eqns_named(h, "mul")[1]["in"][1].update(lit=0.1)),
        "weak type": ("special_floats", lambda h, d: eqns_named(h, "mul")[1]["in"][1]["aval"].update(weak=True)),
        "var reference": ("special_floats", lambda h, d: eqns_named(h, "sub")[0]["in"][0].update(var=0)),
        "symbolic dim": ("symbolic", lambda h, d: eqns_named(h, "reshape")[0]["params"].update(new_sizes=[{"$dim": "2*B"}, 3])),
        "aval dim": ("symbolic", lambda h, d: eqns_named(h, "reshape")[0]["out"][0]["aval"].update(shape=["B", 3])),
        "enum member": ("gather", lambda h, d: eqns_named(h, "gather")[0]["params"]["mode"].update(name="CLIP")),
        "struct field": ("conv", lambda h, d: eqns_named(h, "conv_general_dilated")[0]["params"]["dimension_numbers"].update(lhs_spec=[0, 1, 2, 3])),
        "integral float untagged": ("gather", lambda h, d: [e["params"].update(fill_value=-1) for e in eqns_named(h, "gather") if e["params"]["fill_value"]]),
        "dtype": ("argmax", lambda h, d: eqns_named(h, "argmax")[0]["params"].update(index_dtype={"$dtype": "int64"})),
        "nested jaxpr prim": ("cond", lambda h, d: eqns_named(h, "sin")[0].update(prim="cos")),
        "const bytes": ("consts", lambda h, d: d.update({0: b"\xff" + d[0][1:]})),
        "scope": ("named_scope", lambda h, d: eqns_named(h, "cos")[0].update(scope=["tail"])),
        "source line": ("named_scope", lambda h, d: eqns_named(h, "sin")[0]["src"].update(line=1)),
        "bool param": ("scan", lambda h, d: eqns_named(h, "scan")[0]["params"].update(reverse=False)),
        "big int": ("probe", lambda h, d: eqns_named(h, "probe")[0]["params"].update(big={"$int": "1152921504606846977"})),
        "param array bytes": ("probe", lambda h, d: d.update({0: bytes(12)})),
        "function name": ("onnx_function", lambda h, d: eqns_named(h, "jit")[0]["fn"].update(name="Other")),
        "function mark": ("onnx_function", lambda h, d: eqns_named(h, "jit")[0].pop("fn")),
    }
    for what, (name, mutate) in cases.items():
        p = program(name)
        with p.context():
            cap = capture(p.fn, p.inputs, **p.kwargs)
        header, data, _ = roundtrip(cap.parts(all_inline=True))
        Lossless(header, data, test_file=HERE).check(cap.closed_jaxpr)
        header, data = copy.deepcopy(header), dict(data)
        mutate(header, data)
        with pytest.raises(AssertionError):
            Lossless(header, data, test_file=HERE).check(cap.closed_jaxpr)
            pytest.fail(f"a changed {what} went unnoticed")


def test_dropped_params_are_the_documented_list():
    assert DROPPED_PARAMS == DROPPED
    doc = (__import__("interchange_check").REPO / "docs" / "interchange.md").read_text()
    for name in DROPPED:
        assert f"`{name}`" in doc, f"docs/interchange.md does not list the dropped param {name}"


# -- features, one by one ------------------------------------------------------------------------
def eqns_named(header: dict[str, Any], prim: str) -> list[dict[str, Any]]:
    """Every eqn of `prim` at any depth (nested jaxprs in params included)."""
    found = []

    def walk_param(v: Any) -> None:
        if isinstance(v, list):
            for x in v:
                walk_param(x)
        elif isinstance(v, dict):
            if "$jaxpr" in v:
                walk(v["$jaxpr"])
            else:
                for x in v.values():
                    walk_param(x)

    def walk(j: dict[str, Any]) -> None:
        for e in j["eqns"]:
            if e["prim"] == prim:
                found.append(e)
            walk_param(e["params"])

    walk(header["jaxpr"])
    return found


def program(name: str) -> Program:
    return next(p for p in PROGRAMS if p.name == name)


def test_symbolic_dims_in_avals_and_params():
    _, header, _ = run(program("symbolic"))
    [reshape] = eqns_named(header, "reshape")
    assert reshape["params"]["new_sizes"] == [{"$dim": "4*B"}, 3]
    assert reshape["out"][0]["aval"]["shape"] == ["4*B", 3]
    [iota] = eqns_named(header, "iota")
    assert iota["params"]["shape"] == [{"$dim": "B"}]
    assert iota["params"]["dtype"] == {"$dtype": "int32"}
    assert any(e["params"]["shape"] == [{"$dim": "2*B"}, 3] for e in eqns_named(header, "broadcast_in_dim"))
    _, header, _ = run(program("scan"))
    [scan] = eqns_named(header, "scan")
    assert scan["params"]["length"] == {"$dim": "B"} and scan["params"]["reverse"] is True
    assert scan["params"]["num_consts"] == 1  # W3 enters the body as a const


def test_gather_and_conv_structs():
    _, header, _ = run(program("gather"))
    modes = [e["params"]["mode"] for e in eqns_named(header, "gather")]
    assert {"$enum": "GatherScatterMode", "name": "PROMISE_IN_BOUNDS"} in modes
    assert {"$enum": "GatherScatterMode", "name": "FILL_OR_DROP"} in modes
    fill = [e["params"]["fill_value"] for e in eqns_named(header, "gather")]
    assert None in fill and {"$float": -1} in fill  # integral float, tagged
    dn = eqns_named(header, "gather")[0]["params"]["dimension_numbers"]
    assert dn["$struct"] == "GatherDimensionNumbers" and dn["offset_dims"] == [1] and dn["collapsed_slice_dims"] == [0]
    _, header, _ = run(program("conv"))
    [conv] = eqns_named(header, "conv_general_dilated")
    assert conv["params"]["dimension_numbers"] == {"$struct": "ConvDimensionNumbers", "lhs_spec": [0, 3, 1, 2], "rhs_spec": [3, 2, 0, 1], "out_spec": [0, 3, 1, 2]}
    assert conv["params"]["padding"] == [[1, 1], [0, 2]] and conv["params"]["window_strides"] == [1, 2]
    assert conv["out"][0]["aval"]["shape"] == ["B", 8, 4, 4]


def test_scatter_structs():
    _, header, _ = run(program("scatter"))
    scatters = eqns_named(header, "scatter") + eqns_named(header, "scatter-add")
    assert len(scatters) == 2
    for e in scatters:
        dn = e["params"]["dimension_numbers"]
        assert dn["$struct"] == "ScatterDimensionNumbers"
        assert dn["update_window_dims"] == [1] and dn["inserted_window_dims"] == [0] and dn["scatter_dims_to_operand_dims"] == [0]
    assert {e["params"]["mode"]["name"] for e in scatters} >= {"FILL_OR_DROP"}
    assert scatters[0]["out"][0]["aval"]["shape"] == ["B", 3]


def test_nested_jit_keeps_names_and_shared_jaxprs():
    _, header, check = run(program("nested_jit"))
    names = sorted(e["params"]["name"] for e in eqns_named(header, "jit"))
    assert names == ["exp", "inner_jit", "inner_jit", "outer"]
    # inner_jit's ClosedJaxpr is one object in JAX: encoded twice, same var ids both times.
    a, b = [e["params"]["jaxpr"]["$jaxpr"] for e in eqns_named(header, "jit") if e["params"]["name"] == "inner_jit"]
    assert a == b
    assert all("in_shardings" not in e["params"] and "ctx_mesh" not in e["params"] for e in eqns_named(header, "jit"))


def test_onnx_function_calls_are_marked():
    _, header, check = run(program("onnx_function"))
    assert sorted(check.functions) == ["Scaled", "Scaled", "Scaled", "_Block", "_Block"]
    assert {e["fn"]["domain"] for e in eqns_named(header, "jit")} == {"jax2onnx_lab.fn"}


def test_custom_jvp_and_vjp_keep_their_call_jaxpr():
    _, header, _ = run(program("custom_jvp_vjp"))
    [jvp] = eqns_named(header, "custom_jvp_call")
    [vjp] = eqns_named(header, "custom_vjp_call")
    assert set(jvp["params"]) == {"call_jaxpr", "num_consts", "symbolic_zeros"}
    assert set(vjp["params"]) == {"call_jaxpr", "num_consts", "symbolic_zeros"}
    assert [e["prim"] for e in vjp["params"]["call_jaxpr"]["$jaxpr"]["eqns"]] == ["sin"]
    relu = jvp["params"]["call_jaxpr"]["$jaxpr"]["eqns"]
    assert [e["prim"] for e in relu] == ["jit"] and relu[0]["params"]["name"] == "relu"


def test_named_scopes_and_source_lines():
    _, header, check = run(program("named_scope"))
    scopes = dict((p, s) for p, s in check.scopes)
    assert scopes["sin"] == ["encoder"]
    assert scopes["jit"] == ["encoder", "block_0"]
    assert scopes["mul"] == []  # inside the jit: relative to the enclosing eqn's scope
    assert scopes["cos"] == ["head"]
    [sin] = eqns_named(header, "sin")
    assert header["files"][sin["src"]["file"]] == HERE
    assert sin["src"]["line"] == src_line("scoped_sin") and sin["src"]["fn"] == "scope_program"
    _, header, _ = run(program("gather"))
    [g] = [e for e in eqns_named(header, "gather") if e["params"]["mode"]["name"] == "PROMISE_IN_BOUNDS"]
    assert (header["files"][g["src"]["file"]], g["src"]["line"]) == (HERE, src_line("gather"))


def test_special_float_literals():
    _, header, check = run(program("special_floats"))
    lits = [a["lit"] for e in eqns_named(header, "mul") + eqns_named(header, "add") + eqns_named(header, "sub") for a in e["in"] if "lit" in a]
    assert {"$float": "-0"} in lits and {"$float": "nan"} in lits and {"$float": "inf"} in lits
    assert 0.1 in [round(x, 7) for x in lits if isinstance(x, float)]


def test_wide_integer_literals():
    _, header, _ = run(program("x64"))
    lits = {json.dumps(a["lit"]): a["aval"]["dtype"] for e in header["jaxpr"]["eqns"] for a in e["in"] if "lit" in a}
    assert lits['{"$int": "1152921504606846976"}'] == "int64"
    assert lits['{"$int": "-4611686018427387904"}'] == "int64"
    assert lits["4000000000"] == "uint32"
    assert lits['{"$int": "9223372036854775813"}'] == "uint64"


def test_probe_params_every_tag():
    _, header, _ = run(program("probe"))
    [probe] = eqns_named(header, "probe")
    p = probe["params"]
    assert "sharding" not in p
    assert p["table"] == {"$buffer": 0} and header["buffers"][0] == {"dtype": "int16", "shape": [2, 3], "byteLength": 12, "storage": "inline"}
    assert p["options"] == {"$dict": {"alpha": 1, "beta": [2.5, None], "gamma": {"$enum": "Mode", "name": "EXACT"}}}
    assert p["callback"] == {"$opaque": "builtin_function_or_method"}
    assert p["big"] == {"$int": "1152921504606846976"}
    assert p["negative_zero"] == {"$float": "-0"} and p["integral"] == {"$float": 3}
    assert p["single"] == float(np.float32(0.1))
    assert p["scalar_type"] == {"$dtype": "bfloat16"} and p["numpy_type"] == {"$dtype": "int8"}
    assert p["window"] == {"$struct": "Window", "size": 3, "scale": 0.5}
    assert p["numpy_int"] == 7 and p["numpy_bool"] is True and p["text"] == "ünïcode ✓"
    assert p["nested"] == [[1, [{"$float": 2}, -3]], []]


def test_drop_vars_get_unique_ids():
    # make_jaxpr in JAX 0.10 leaves unused outputs as plain Vars (printed "_"); DropVars come from
    # older partial-eval paths. Put two in a real jaxpr with JAX's own API and write it directly.
    closed = jax.make_jaxpr(lambda x: (lax.top_k(x, 2)[0], lax.top_k(x * 2.0, 1)[0]))(jnp.ones((4, 3), f32))
    eqns = [
        e.replace(outvars=[e.outvars[0], jcore.DropVar(e.outvars[1].aval)]) if e.primitive.name == "top_k" else e
        for e in closed.jaxpr.eqns
    ]
    closed = jcore.ClosedJaxpr(closed.jaxpr.replace(eqns=eqns), closed.consts)
    writer = CaptureWriter()
    header = writer.header(closed, model={"name": "drops", "inputs": ["x"], "outputs": ["a", "b"]}, producer={"jax2onnx_lab": "test", "jax": jax.__version__})
    validate(header)
    back, data, _ = roundtrip(container_parts(header, writer.inline_arrays()))
    validate(back)
    Lossless(back, data, test_file=HERE).check(closed)
    outs = [o for e in eqns_named(back, "top_k") for o in e["out"]]
    assert [o.get("drop", False) for o in outs] == [False, True, False, True]
    ids = [o["id"] for o in outs]
    assert len(set(ids)) == 4


def test_literal_outvars():
    _, header, _ = run(program("literal_outputs"))
    outs = header["jaxpr"]["outvars"]
    # The TypeScript encoder writes 3.0 as 3: the aval says it is a float32 (a weak-typed one).
    assert outs[1] == {"lit": 3, "aval": {"shape": [], "dtype": "float32", "weak": True}}
    assert outs[2]["lit"] is True and outs[2]["aval"]["dtype"] == "bool"


def test_array_literals_share_a_buffer():
    cap, header, check = run(program("array_literal"))
    refs = [a["lit"] for e in header["jaxpr"]["eqns"] for a in e["in"] if "lit" in a]
    assert refs == [{"$buffer": 0}, {"$buffer": 0}] and len(header["buffers"]) == 1
    assert check.tags["$buffer(literal)"] == 2


def test_consts_are_constvars_with_their_bytes():
    cap, header, _ = run(program("consts"))
    consts = header["jaxpr"]["constvars"]
    assert len(consts) == len(cap.closed_jaxpr.consts) >= 2
    dtypes = sorted(header["buffers"][c["buffer"]]["dtype"] for c in consts)
    assert "int32" in dtypes and "float32" in dtypes


# -- Flax NNX: weight names, scopes, storage -----------------------------------------------------
@pytest.fixture(scope="module")
def mlp() -> MLP:
    return MLP(nnx.Rngs(0))


def test_flax_model_weight_names_scopes_and_sources(mlp: MLP):
    cap = capture(mlp, [("B", 4)])
    validate(cap.header)
    header, data, _ = roundtrip(cap.parts(all_inline=True))
    validate(header)
    check = Lossless(header, data, test_file=HERE).check(cap.closed_jaxpr)
    named = {b["name"]: i for i, b in enumerate(header["buffers"]) if "name" in b}
    assert sorted(named) == ["linear1.bias", "linear1.kernel", "linear2.bias", "linear2.kernel"]
    for path, i in named.items():
        module, leaf = path.split(".")
        value = np.asarray(getattr(getattr(mlp, module), leaf).get_value())
        assert data[i] == value.tobytes() and header["buffers"][i]["shape"] == list(value.shape)
    scopes = {tuple(s) for _, s in check.scopes}
    assert {("MLP", "linear1"), ("MLP", "linear2"), ("MLP",)} <= scopes
    dots = [s for p, s in check.sources if p == "dot_general"]
    assert len(dots) == 2
    for s in dots:
        assert s["src"][0] == HERE and s["src"][1] == src_line("mlp_call") and s["src"][3] == "MLP.__call__"
        assert s["lib"][0].endswith("flax/nnx/nn/linear.py") and s["lib"][3] == "Linear.__call__"


def test_flax_weights_as_array_literals_keep_their_names(mlp: MLP):
    with simplified_constants():
        cap = capture(mlp, [("B", 4)])
    header, data, _ = roundtrip(cap.parts(all_inline=True))
    Lossless(header, data, test_file=HERE).check(cap.closed_jaxpr)
    assert not header["jaxpr"]["constvars"]
    assert sorted(b.get("name", "") for b in header["buffers"]) == ["linear1.bias", "linear1.kernel", "linear2.bias", "linear2.kernel"]


def test_big_buffers_stay_with_the_host(mlp: MLP):
    cap = capture(mlp, [("B", 4)], inline_limit=64)
    storage = {b["name"]: (b["byteLength"], b["storage"]) for b in cap.header["buffers"]}
    assert storage == {"linear1.kernel": (256, "host"), "linear1.bias": (64, "inline"), "linear2.kernel": (128, "host"), "linear2.bias": (8, "inline")}
    kernel = np.asarray(mlp.linear1.kernel.get_value()).tobytes()
    small = container_bytes(cap.parts())
    assert kernel not in small
    header, blobs = read_container(small)
    assert [len(b) for b in blobs] == [b["byteLength"] for b in header["buffers"] if b["storage"] == "inline"]
    # The converter decodes a capture with host buffers and keeps them by reference.
    back, data, _ = roundtrip(cap.parts())
    assert [b["storage"] for b in back["buffers"]] == [b["storage"] for b in cap.header["buffers"]]
    Lossless(back, data, test_file=HERE).check(cap.closed_jaxpr)
    # all_inline puts every buffer back, bytes and all; save() writes exactly that container.
    full = container_bytes(cap.parts(all_inline=True))
    assert kernel in full
    header, blobs = read_container(full)
    assert all(b["storage"] == "inline" for b in header["buffers"]) and len(blobs) == len(header["buffers"])
    back, data, _ = roundtrip(cap.parts(all_inline=True))
    Lossless(back, data, test_file=HERE).check(cap.closed_jaxpr)


def test_save_writes_the_all_inline_container(mlp: MLP, tmp_path):
    cap = capture(mlp, [("B", 4)], inline_limit=64)
    cap.save(str(tmp_path / "m.j2o"))
    assert (tmp_path / "m.j2o").read_bytes() == container_bytes(cap.parts(all_inline=True))


# -- the container's bytes -----------------------------------------------------------------------
def layout(data: bytes) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """Parses a container by the byte offsets docs/interchange.md gives; checks the padding."""
    assert data[:6] == b"J2OCAP"
    assert int.from_bytes(data[6:8], "little") == 1
    n = int.from_bytes(data[8:12], "little")
    header = json.loads(data[12 : 12 + n].decode("utf-8"))
    spans, at = [], 12 + n
    for info in header["buffers"]:
        if info["storage"] != "inline":
            continue
        start = -(-at // 64) * 64
        assert data[at:start] == b"\0" * (start - at), "padding must be zero bytes"
        spans.append((start, info["byteLength"]))
        at = start + info["byteLength"]
    assert at == len(data), "nothing follows the last buffer"
    return header, spans


def test_container_layout_python_and_typescript_agree():
    cap = capture(consts_program, [(2, 3)])
    mine = container_bytes(cap.parts(all_inline=True))
    header, spans = layout(mine)
    assert MAGIC == b"J2OCAP" and ALIGN == 64 and len(spans) == len(cap.buffers) >= 2
    for (start, size), arr in zip(spans, cap.buffers):
        assert start % 64 == 0 and mine[start : start + size] == np.ascontiguousarray(arr).tobytes()
    _, _, theirs = roundtrip(cap.parts(all_inline=True))
    header2, spans2 = layout(theirs)
    assert header2["buffers"] == header["buffers"]
    assert [theirs[s : s + n] for s, n in spans2] == [mine[s : s + n] for s, n in spans]


def test_empty_and_odd_sized_buffers():
    # A zero-size const and a 3-byte one: alignment must still hold for what follows.
    empty = jnp.zeros((0, 3), f32)
    odd = jnp.array([1, 2, 3], dtype=jnp.uint8)
    big = jnp.arange(5, dtype=f32)

    def fn(x):
        return jnp.concatenate([empty, x[None]], axis=0), odd + x.astype(jnp.uint8)[0], big

    cap = capture(fn, [(3,)])
    assert sorted(b["byteLength"] for b in cap.header["buffers"]) == [0, 3, 20]
    header, data, raw = roundtrip(cap.parts(all_inline=True))
    layout(raw)
    Lossless(header, data, test_file=HERE).check(cap.closed_jaxpr)


# -- errors --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed_container(mlp: MLP) -> bytes:
    """host, inline, host, inline buffers: inline positions differ from buffer-table indices."""
    return container_bytes(capture(mlp, [("B", 4)], inline_limit=64).parts())


def rewrite_header(data: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    header, blobs = read_container(data)
    edit(header)
    return container_bytes(container_parts(header, [np.frombuffer(b, np.uint8) for b in blobs]))


def test_corrupted_magic_is_an_invalid_capture(mixed_container: bytes):
    err = convert_error(b"J2OCAX" + mixed_container[6:])
    assert err["kind"] == "invalid_capture" and "J2OCAP magic" in err["message"]
    err = convert_error(b"J2O")
    assert err["kind"] == "invalid_capture" and "magic" in err["message"]


def test_wrong_version_is_an_invalid_capture(mixed_container: bytes):
    err = convert_error(mixed_container[:6] + (2).to_bytes(2, "little") + mixed_container[8:])
    assert err["kind"] == "invalid_capture" and "version 2 is not supported" in err["message"]
    err = convert_error(rewrite_header(mixed_container, lambda h: h.update(version=2)))
    assert err["kind"] == "invalid_capture" and "$.version" in err["message"]


def test_truncated_buffer_names_the_buffer(mixed_container: bytes):
    err = convert_error(mixed_container[:-3])
    assert err["kind"] == "invalid_capture"
    assert "truncated in buffer 3" in err["message"], err["message"]  # buffer-table index, not inline position
    err = convert_error(mixed_container[:20])
    assert err["kind"] == "invalid_capture" and "truncated inside its header" in err["message"]


def test_bad_headers_name_the_json_path(mixed_container: bytes):
    def bad(edit: Callable[[dict[str, Any]], None]) -> str:
        err = convert_error(rewrite_header(mixed_container, edit))
        assert err["kind"] == "invalid_capture", err
        return err["message"]

    assert "$.buffers[2].byteLength: byteLength 16 does not fit float32[16,2]" in bad(lambda h: h["buffers"][2].update(byteLength=16))
    assert "$.buffers[3].byteLength" in bad(lambda h: h["buffers"][3].update(byteLength="8"))
    assert '$.jaxpr.invars[0].aval.dtype: unknown dtype "float128"' in bad(lambda h: h["jaxpr"]["invars"][0]["aval"].update(dtype="float128"))
    assert "$.jaxpr.eqns[0].in[0].var: var 99 is used before it is defined" in bad(lambda h: h["jaxpr"]["eqns"][0]["in"][0].update(var=99))
    assert "$.jaxpr.constvars[0].buffer: no buffer 9" in bad(lambda h: h["jaxpr"]["constvars"][0].update(buffer=9))
    assert "$.jaxpr.constvars[0].buffer: buffer 1 is float32[16]" in bad(lambda h: h["jaxpr"]["constvars"][0].update(buffer=1))
    assert "$.jaxpr.eqns[1].params.new_sizes[0]: unknown param encoding" in bad(lambda h: h["jaxpr"]["eqns"][1]["params"].update(new_sizes=[{"$shape": 1}, 16]))


def test_schema_rejects_mistakes(mixed_container: bytes):
    header, _ = read_container(mixed_container)
    validate(header)

    def rejected(edit: Callable[[dict[str, Any]], None]) -> None:
        h = json.loads(json.dumps(header))
        edit(h)
        with pytest.raises(AssertionError):
            validate(h)

    rejected(lambda h: h.pop("files"))
    rejected(lambda h: h.update(extra=1))
    rejected(lambda h: h["buffers"][0].update(storage="disk"))
    rejected(lambda h: h["jaxpr"]["invars"][0]["aval"].update(dtype="float128"))
    rejected(lambda h: h["jaxpr"]["eqns"][0].update(params={"x": {"$unknown": 1}}))
    rejected(lambda h: h["jaxpr"]["eqns"][0].update(params={"x": 2**60}))  # must be {"$int": ...}
    rejected(lambda h: h["jaxpr"]["eqns"][0].update(params={"x": {"$float": "NaN"}}))
    rejected(lambda h: h["jaxpr"]["eqns"][0].update(params={"x": {"$jaxpr": {"invars": []}}}))
    rejected(lambda h: h["jaxpr"]["eqns"][0].update(params={"x": {"$struct": "S", "$extra": 1}}))
    rejected(lambda h: h["jaxpr"]["eqns"][0]["in"][0].update(lit=1))  # var and lit at once
    rejected(lambda h: h["model"].update(inputs=["a", "a"]))
