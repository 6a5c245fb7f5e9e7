"""PRNG keys as their data: a traced program whose values include typed PRNG keys
(``key<fry>[...]``, an extended dtype ONNX cannot hold) is re-traced with every key replaced by
its uint32 key data (shape ``(*key_shape, 2)`` for threefry).

* ``random_wrap`` / ``random_unwrap`` become identities on the data.
* ``random_seed``, ``random_split``, ``random_fold_in`` and ``random_bits`` are traced through
  the key implementation JAX itself uses for them (``jax._src.random.prng``'s ``*_impl_base``),
  so the program computes JAX's bits exactly; what remains are ``threefry2x32``,
  ``iota_2x32_shape`` and ordinary integer ops, which the converter lowers.
* Other primitives applied to keys (slicing, squeezing, broadcasting, concatenating, selecting
  keys) act on the data, vmapped over its trailing key axis, which is what they mean.
* Calls (``jit``, ``custom_jvp_call``, ...) whose operands or results are keys are inlined.

Source locations and name stacks of the original eqns are kept, so scopes and source lines in
the ONNX graph still point at the user's code. Programs without keys are returned unchanged.
"""

from __future__ import annotations

from typing import Any, Sequence

import jax
import numpy as np
from jax._src import core, source_info_util
from jax._src.random import prng

from ._errors import ConversionError

_CALL_JAXPR_PARAMS = ("jaxpr", "call_jaxpr", "fun_jaxpr")
_CONTROL_FLOW = {"scan", "while", "cond"}


def _is_key(aval: Any) -> bool:
    return isinstance(getattr(aval, "dtype", None), prng.KeyTy)


def _has_keys(jaxpr: core.Jaxpr) -> bool:
    if any(_is_key(v.aval) for v in (*jaxpr.invars, *jaxpr.constvars, *jaxpr.outvars)):
        return True
    for e in jaxpr.eqns:
        if any(_is_key(v.aval) for v in (*e.invars, *e.outvars)):
            return True
        for sub in core.jaxprs_in_params(e.params):
            if _has_keys(sub):
                return True
    return False


def _physical(aval: Any) -> jax.ShapeDtypeStruct:
    if _is_key(aval):
        phys = core.physical_aval(aval)
        return jax.ShapeDtypeStruct(phys.shape, phys.dtype)
    return jax.ShapeDtypeStruct(aval.shape, aval.dtype)


def _key_impl(aval: Any) -> Any:
    return aval.dtype._impl


def _nested(params: dict[str, Any]) -> core.ClosedJaxpr | core.Jaxpr | None:
    for name in _CALL_JAXPR_PARAMS:
        p = params.get(name)
        if isinstance(p, (core.ClosedJaxpr, core.Jaxpr)):
            return p
    return None


def _apply_to_data(eqn: core.JaxprEqn, invals: Sequence[Any]) -> list[Any]:
    """A primitive that only moves keys around, applied to their data (vmapped over the key axis)."""
    if not all(_is_key(v.aval) for v in eqn.outvars):
        raise ConversionError(
            f"Cannot convert: {eqn.primitive.name} at {source_info_util.summarize(eqn.source_info)} computes a non-key value from PRNG keys; "
            "only moving keys around (slicing, reshaping, selecting) is supported besides jax.random's own functions.",
            kind="capture_failed",
        )
    key_in = [_is_key(v.aval) for v in eqn.invars]
    params = eqn.primitive.get_bind_params(eqn.params)

    def on_data(*xs: Any) -> Any:
        # The key element axis is vmapped away: the primitive sees arrays of the keys' own shape.
        return eqn.primitive.bind(*xs, **params)

    out_axes = [-1] * len(eqn.outvars) if eqn.primitive.multiple_results else -1
    outs = jax.vmap(on_data, in_axes=[-1 if k else None for k in key_in], out_axes=out_axes)(*invals)
    return list(outs) if eqn.primitive.multiple_results else [outs]


def _eval(jaxpr: core.Jaxpr, consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
    env: dict[core.Var, Any] = {}

    def read(v: Any) -> Any:
        return v.val if isinstance(v, core.Literal) else env[v]

    for var, val in zip(jaxpr.constvars, consts):
        env[var] = val
    for var, val in zip(jaxpr.invars, args):
        env[var] = val
    for eqn in jaxpr.eqns:
        invals = [read(v) for v in eqn.invars]
        name_stack = source_info_util.current_name_stack() + eqn.source_info.name_stack
        with source_info_util.user_context(eqn.source_info.traceback, name_stack=name_stack), eqn.ctx.manager:
            outs = _eval_eqn(eqn, invals)
        for var, val in zip(eqn.outvars, outs):
            env[var] = val
    return [read(v) for v in jaxpr.outvars]


def _eval_eqn(eqn: core.JaxprEqn, invals: list[Any]) -> list[Any]:
    keyed = any(_is_key(v.aval) for v in (*eqn.invars, *eqn.outvars))
    nested = _nested(eqn.params)
    touches_keys = keyed or (nested is not None and _has_keys(nested.jaxpr if isinstance(nested, core.ClosedJaxpr) else nested))
    name = eqn.primitive.name
    if not touches_keys:
        params = eqn.primitive.get_bind_params(eqn.params)
        out = eqn.primitive.bind(*invals, **params)
        return list(out) if eqn.primitive.multiple_results else [out]
    if name in ("random_wrap", "random_unwrap"):
        return [invals[0]]
    if name == "random_seed":
        return [prng.random_seed_impl_base(invals[0], impl=eqn.params["impl"])]
    if name == "random_split":
        aval = eqn.invars[0].aval
        return [prng.random_split_impl_base(_key_impl(aval), invals[0], aval.ndim, shape=eqn.params["shape"])]
    if name == "random_fold_in":
        aval = eqn.invars[0].aval
        return [prng.random_fold_in_impl_base(_key_impl(aval), invals[0], invals[1], aval.shape)]
    if name == "random_bits":
        aval = eqn.invars[0].aval
        return [prng.random_bits_impl_base(_key_impl(aval), invals[0], aval.ndim, bit_width=eqn.params["bit_width"], shape=eqn.params["shape"])]
    if nested is not None and name not in _CONTROL_FLOW:
        closed = nested if isinstance(nested, core.ClosedJaxpr) else core.ClosedJaxpr(nested, ())
        return _eval(closed.jaxpr, closed.consts, invals)
    if name in _CONTROL_FLOW or list(core.jaxprs_in_params(eqn.params)):
        raise ConversionError(
            f"Cannot convert: PRNG keys pass through {name} at {source_info_util.summarize(eqn.source_info)}, which is not supported yet; "
            "split the keys outside the loop or branch, or pass key data (jax.random.key_data) instead.",
            kind="capture_failed",
        )
    return _apply_to_data(eqn, invals)


def physicalize_keys(closed: core.ClosedJaxpr) -> core.ClosedJaxpr:
    """`closed` with PRNG keys replaced by their uint32 data (the same program if it has none)."""
    if not _has_keys(closed.jaxpr):
        return closed
    consts = [prng.random_unwrap(c) if _is_key(jax.typeof(c)) else c for c in closed.consts]
    specs = [_physical(v.aval) for v in closed.jaxpr.invars]
    return jax.make_jaxpr(lambda *args: _eval(closed.jaxpr, consts, args))(*specs)


__all__ = ["physicalize_keys"]
