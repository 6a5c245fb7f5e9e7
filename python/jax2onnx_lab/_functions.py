"""``@onnx_function``: make each call of a module class, function or method an ONNX function.

While ``capture`` traces, a decorated callable runs inside ``jax.jit`` of a closure that takes
only the call's array arguments, so the call is one ``jit`` eqn whose body is the call's jaxpr
and whose consts are the weights it reads. The jit's name carries a marker
(``onnx_function[Name@domain]``) that the interchange writer turns into the eqn's ``fn`` field;
the converter makes the body a FunctionProto and calls of the same structure share it. Outside a
capture the callable runs exactly as it would undecorated.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any, Callable, TypeVar

import jax
import numpy as np

from ._modules import module_types

DEFAULT_DOMAIN = "jax2onnx_lab.fn"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_MARKER = re.compile(r"^onnx_function\[([A-Za-z_][A-Za-z0-9_.]*)@([A-Za-z_][A-Za-z0-9_.]*)\]$")

T = TypeVar("T")

_state = threading.local()


def capturing() -> bool:
    return getattr(_state, "depth", 0) > 0


class active_capture:
    """Within this context, ``@onnx_function`` callables trace as function calls."""

    def __enter__(self) -> None:
        _state.depth = getattr(_state, "depth", 0) + 1

    def __exit__(self, *exc: object) -> None:
        _state.depth -= 1


def function_call(jit_name: Any) -> dict[str, str] | None:
    """The ``fn`` field for a jit eqn made by an ``@onnx_function`` call, else None."""
    m = _MARKER.match(jit_name) if isinstance(jit_name, str) else None
    return {"name": m.group(1), "domain": m.group(2)} if m else None


def _is_array(x: Any) -> bool:
    return isinstance(x, (jax.Array, np.ndarray, np.generic)) or isinstance(x, jax.core.Tracer)


def _as_function_call(fn: Callable[..., Any], name: str, domain: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if not capturing():
            return fn(*args, **kwargs)
        # Modules are leaves (static), never flattened: their weights are closed over, and the
        # body sees the very instances, whose ids name module scopes and weights.
        modules = module_types()
        leaves, tree = jax.tree_util.tree_flatten((args, kwargs), is_leaf=lambda x: isinstance(x, modules))
        dynamic = [i for i, x in enumerate(leaves) if _is_array(x)]

        # Array arguments become the function's inputs; everything else (the module itself,
        # flags, sizes) is static: it shapes the body and is closed over.
        def body(*arrays: Any) -> Any:
            filled = list(leaves)
            for i, a in zip(dynamic, arrays):
                filled[i] = a
            a2, k2 = jax.tree_util.tree_unflatten(tree, filled)
            return fn(*a2, **k2)

        body.__name__ = body.__qualname__ = f"onnx_function[{name}@{domain}]"
        return jax.jit(body)(*[leaves[i] for i in dynamic])

    return call


def onnx_function(target: T | None = None, *, name: str | None = None, domain: str = DEFAULT_DOMAIN) -> Any:
    """Makes every call of `target` an ONNX function call in the converted model.

    `target` is a module class (its ``__call__`` is wrapped), a plain function, a method in a
    class body, or a bound method of a module instance (``onnx_function(model.encoder.__call__)``
    returns a callable). Calls with the same structure and input types share one FunctionProto,
    named `name` (default: the class or function name) in the ONNX `domain`. Use as
    ``@onnx_function`` or ``@onnx_function(name="Block")``.
    """
    if target is None:
        return lambda t: onnx_function(t, name=name, domain=domain)
    if not _IDENT.match(domain):
        raise ValueError(f"domain {domain!r} is not a valid ONNX domain (letters, digits, '_' and '.')")
    if isinstance(target, type):
        fn_name = name or target.__name__
        _check_name(fn_name)
        original = target.__dict__.get("__call__") or target.__call__
        type.__setattr__(target, "__call__", _as_function_call(original, fn_name, domain))
        return target
    if not callable(target):
        raise TypeError(f"onnx_function needs a class, function or method, got {type(target).__name__}")
    fn_name = name or _default_name(target)
    _check_name(fn_name)
    return _as_function_call(target, fn_name, domain)


def _default_name(target: Any) -> str:
    """`f` for a function, `Cls` for a `__call__` method, `Cls_method` for other methods."""
    owner = getattr(target, "__self__", None)
    base = getattr(target, "__func__", target)
    short = getattr(base, "__name__", None) or type(target).__name__
    if owner is not None:
        cls = type(owner).__name__
    else:
        # A method in a class body is a plain function until bound: its qualname names the class.
        parts = [p for p in getattr(base, "__qualname__", short).split(".") if p != "<locals>"]
        cls = parts[-2] if len(parts) > 1 else None
    if cls is None:
        return short
    return cls if short == "__call__" else f"{cls}_{short}"


def _check_name(name: str) -> None:
    if not _IDENT.match(name):
        raise ValueError(f"function name {name!r} is not a valid ONNX function name; pass name=...")
