"""input_params that the program branches on in Python (``if deterministic:``) as runtime switches.

A traced input_params value cannot steer Python control flow. For a bool one the program is
traced once per value and the traces are joined with ``lax.cond`` on the runtime input, which
the converter lowers to an ONNX If: one model serves both modes. Where that cannot work (the
value is not a bool, the traces differ in their outputs, more than MAX_COMBINATIONS traces
would be needed) the parameter is fixed at the value given, with a warning that names it; its
graph input stays (so the model's signature does not depend on this) but is ignored.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Mapping, Sequence

import jax
import numpy as np
from jax import lax

# What JAX raises when a traced value steers Python (bool(), int(), range(), np.asarray()).
CONCRETIZATION_ERRORS = (
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerBoolConversionError,
    jax.errors.TracerIntegerConversionError,
    jax.errors.TracerArrayConversionError,
)

# Traces joined at most: 2 bool switches. More would multiply the graph for little use.
MAX_COMBINATIONS = 4

Trace = Callable[[Mapping[str, Any], Sequence[str]], Any]


class StaticParamWarning(UserWarning):
    """An input_params entry was fixed at its given value instead of becoming a runtime input."""


def is_switch_value(v: Any) -> bool:
    return isinstance(v, (bool, np.bool_)) or (isinstance(v, np.ndarray) and v.shape == () and v.dtype == np.bool_)


def flat_program(fn: Callable[..., Any], n_inputs: int, names: Sequence[str], static: Mapping[str, Any], switches: Sequence[str]) -> Callable[..., list[Any]]:
    """fn(*inputs, **params) as a function of flat arrays: `static` params are fixed, each of
    `switches` picks, through lax.cond on its runtime value, between the program traced with
    it True and with it False."""

    def flat(*args: Any) -> list[Any]:
        xs, ps = args[:n_inputs], dict(zip(names, args[n_inputs:]))

        def join(i: int, fixed: dict[str, Any]) -> list[Any]:
            if i == len(switches):
                return jax.tree_util.tree_leaves(fn(*xs, **{**ps, **static, **fixed}))
            name = switches[i]
            return lax.cond(ps[name], lambda: join(i + 1, {**fixed, name: True}), lambda: join(i + 1, {**fixed, name: False}))

        return join(0, {})

    return flat


def trace_with_switches(trace: Trace, values: Mapping[str, Any], convertible: Callable[[Any], str | None] = lambda _: None) -> Any:
    """Traces with every param a runtime input; where a param steers Python control flow, makes
    bool ones switches and fixes the others (with a StaticParamWarning). `trace(static,
    switches)` traces once; it raises one of CONCRETIZATION_ERRORS when a traced value steers Python.
    `convertible(closed)` says why a joined trace cannot convert (None when it can): then the
    switches are fixed too (Dropout's `deterministic=False` trace makes PRNG keys, for example)."""
    # A ShapeDtypeStruct has no value to fix.
    values = {n: v for n, v in values.items() if not isinstance(v, jax.ShapeDtypeStruct)}
    try:
        return trace({}, [])
    except CONCRETIZATION_ERRORS:
        if not values:
            raise
    # Which param steers? One at a time first (the usual case: one `deterministic` flag).
    culprit = next((name for name in values if _traces(trace, {name: values[name]})), None)
    culprits = [culprit] if culprit is not None else list(values)
    switches = [n for n in culprits if is_switch_value(values[n])]
    static = {n: values[n] for n in culprits if n not in switches}
    reasons = {n: "it is not a bool, so it cannot select between traces" for n in static}
    if 2 ** len(switches) > MAX_COMBINATIONS:
        reasons.update({n: f"joining {2 ** len(switches)} traces is more than {MAX_COMBINATIONS}" for n in switches})
        static.update({n: values[n] for n in switches})
        switches = []
    try:
        closed = trace(static, switches)
    except Exception as e:
        if not switches or isinstance(e, CONCRETIZATION_ERRORS):
            raise
        # lax.cond refuses traces whose outputs differ in structure, dtype or shape (TypeError);
        # Flax refuses state changes (Dropout's RNG count) inside a branch (TraceContextError).
        what = "the program's outputs differ between its True and False traces" if isinstance(e, TypeError) else "its two traces cannot be joined in one program"
        reasons.update({n: f"{what} ({str(e).splitlines()[0]})" for n in switches})
        static.update({n: values[n] for n in switches})
        closed = trace(static, [])
    problem = convertible(closed) if switches else None
    if problem:
        reasons.update({n: f"one of its traces cannot convert ({problem})" for n in switches})
        static.update({n: values[n] for n in switches})
        closed = trace(static, [])
    for name, value in static.items():
        warnings.warn(
            f"input_params[{name!r}] is used in Python control flow and {reasons[name]}: the model is traced with "
            f"{name}={_plain(value)!r} fixed. Its graph input stays but is ignored at run time.",
            StaticParamWarning,
            stacklevel=4,
        )
    return closed


def _traces(trace: Trace, static: Mapping[str, Any]) -> bool:
    try:
        trace(static, [])
        return True
    except CONCRETIZATION_ERRORS:
        return False


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, (np.ndarray, np.generic)) else v
