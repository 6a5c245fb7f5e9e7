"""Property-based fuzzing of the Python capture writer (hypothesis), against the TypeScript reader.

Random param values (every kind the encoder knows, nested, with extreme ints and floats, unicode
and lone surrogates, arrays of every dtype), random scalar literals and random closed-over arrays
go into real jaxprs (JAX's own make_jaxpr on a user primitive); the capture must pass the JSON
Schema, decode in TypeScript and come back losslessly (interchange_check.Lossless compares with
the JAX objects themselves). Fixed seed (derandomize) and a bounded number of examples in the test
command; bench/fuzz.sh runs it for longer (J2O_FUZZ_SECONDS).
"""

from __future__ import annotations

import dataclasses
import enum
import os
import time
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings, strategies as st
from jax.extend import core as jcore

from interchange_check import Lossless, roundtrip, validate
from jax2onnx_lab._capture import capture
from jax2onnx_lab._interchange import DROPPED_PARAMS

SECONDS = float(os.environ.get("J2O_FUZZ_SECONDS", "0"))  # 0: the test command's bounded run
EXAMPLES = 100_000 if SECONDS else 40
DEADLINE = time.monotonic() + SECONDS + 3600 * (SECONDS == 0)
RUNS = {"examples": 0, "skipped_after_deadline": 0}


class HashableArray(np.ndarray):
    """JAX params must be hashable; a user primitive can still carry an array. Equality is
    identity too: JAX's trace caches compare params with == when hashes collide."""

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return self is other


class HashableDict(dict):
    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


class Color(enum.Enum):
    RED = 1
    GREEN = "green"


class Pair(NamedTuple):
    first: Any
    second: Any


@dataclasses.dataclass(frozen=True)
class Box:
    size: Any
    label: Any


fuzz_p = jcore.Primitive("fuzz_probe")
fuzz_p.def_abstract_eval(lambda operand, /, **params: operand)  # any param name, "operand" too

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
          np.float16, np.float32, np.float64, ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2,
          np.complex64, np.complex128]


@st.composite
def arrays(draw: Any) -> np.ndarray:
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    size = int(np.prod(shape))
    raw = draw(st.binary(min_size=size * dtype.itemsize, max_size=size * dtype.itemsize))
    arr = np.frombuffer(raw, dtype=np.uint8).view(dtype).reshape(shape) if size else np.zeros(shape, dtype)
    if dtype == np.bool_:
        arr = arr.view(np.uint8) % 2 == 1  # numpy bools are 0/1 bytes
    return arr


floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True) | st.sampled_from([0.0, -0.0, 1.0, -1e-310, 2.0**53, 2.0**64])
ints = st.integers(-(2**70), 2**70) | st.sampled_from([2**53 - 1, 2**53, -(2**53), 2**63 - 1, -(2**63)])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    ints,
    floats,
    st.text(max_size=12),  # any code point, lone surrogates included
    st.sampled_from([np.float32(0.1), np.int64(-7), np.uint8(255), np.bool_(False), np.float16(-0.0)]),
    st.sampled_from([np.dtype(d) for d in DTYPES] + [np.float32, jnp.bfloat16, jnp.int8]),
    st.sampled_from(list(Color)),
    arrays().map(lambda a: a.view(HashableArray)),
)
param_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(tuple),
        st.tuples(inner, inner).map(lambda t: Pair(*t)),
        st.tuples(inner, inner).map(lambda t: Box(*t)),
        # Keys that look like array indices ("0", "17") are left out: JavaScript objects list them
        # first, so the TypeScript side returns such a $dict in another key order (found by the long
        # run; docs/reliability.md, "Known gaps"). No lowering rule reads $dict params.
        st.dictionaries(st.text(min_size=1, max_size=6).filter(lambda k: not (k.isdigit() and k.isascii())), inner, max_size=3).map(HashableDict),
    ),
    max_leaves=12,
)
param_names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda n: n not in DROPPED_PARAMS)


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    print(f"\ncapture writer fuzz: {RUNS['examples']} examples checked" + (f" in {SECONDS:g} s budget" if SECONDS else ""))


# The bounded run does not shrink (each example is a conversion round trip: shrinking a failure
# took minutes); the long run does.
PHASES = list(Phase) if SECONDS else [Phase.explicit, Phase.reuse, Phase.generate]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not SECONDS, suppress_health_check=list(HealthCheck), database=None, phases=PHASES, report_multiple_bugs=False)
@given(
    params=st.dictionaries(param_names, param_values, max_size=5),
    literal=floats | ints.filter(lambda n: abs(n) < 2**31) | st.booleans(),
    consts=st.lists(arrays(), max_size=3),
)
# Regressions the fuzzer found: an integral float32 literal past 2^53 was written as a bare JSON
# integer (the schema rejects it; readers may round it), and a complex scalar literal could not be
# written at all.
@example(params={}, literal=9007198986305536.0, consts=[])
@example(params={}, literal=1.5, consts=[np.asarray(-1.5 + 2j)])
@example(params={}, literal=False, consts=[np.asarray(-3.5e-10, ml_dtypes.bfloat16)])
def test_random_captures_round_trip_losslessly(params, literal, consts):
    if time.monotonic() > DEADLINE:
        RUNS["skipped_after_deadline"] += 1
        return

    def program(x):
        y = fuzz_p.bind(x, **params)
        outs = [y * literal if not isinstance(literal, bool) else y]
        # Closed-over arrays become constvars (buffers) of the closed jaxpr.
        outs += [jnp.asarray(c) for c in consts]
        return outs

    cap = capture(program, [(2,)], inline_limit=None)
    validate(cap.header)
    header, data, _ = roundtrip(cap.parts(all_inline=True))
    validate(header)
    Lossless(header, data, test_file=__file__).check(cap.closed_jaxpr)
    RUNS["examples"] += 1


def test_the_fuzz_ran():
    assert RUNS["examples"] >= min(EXAMPLES, 20) or RUNS["skipped_after_deadline"], RUNS
