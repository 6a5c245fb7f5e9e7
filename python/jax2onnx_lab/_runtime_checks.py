"""Run-time checks ONNX cannot make: ``eqx.error_if`` / ``eqx.branched_error_if``.

Equinox raises from a ``jax.pure_callback`` taken in a ``lax.cond`` branch when the check fails.
ONNX cannot raise, so the converter lowers those callbacks to what Equinox itself returns with
``EQX_ON_ERROR=nan``: NaN for floats, the largest value for ints, True for bools
(plugins/control/pure_callback.ts). A failed check then shows as NaN outputs instead of an
exception. Each such check is reported here as a warning naming its message and source line.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Iterator

# The callbacks of equinox/_errors.py's `_error`, by module and qualified name.
EQUINOX_ERROR_CALLBACKS = frozenset(
    {
        ("equinox._errors", "_error.<locals>.raises"),
        ("equinox._errors", "_error.<locals>.tpu_msg"),
        ("equinox._errors", "_error.<locals>.display_msg"),
        ("equinox._errors", "_error.<locals>.to_nan"),
    }
)


class DroppedCheckWarning(UserWarning):
    """A run-time check (eqx.error_if) that the ONNX model cannot raise."""


def callback_identity(callback: Any) -> tuple[str, str]:
    fn = getattr(callback, "callback_func", callback)
    return getattr(fn, "__module__", "") or "", getattr(fn, "__qualname__", type(fn).__name__)


def _messages(callback: Any) -> list[str]:
    fn = getattr(callback, "callback_func", callback)
    names = getattr(getattr(fn, "__code__", None), "co_freevars", ())
    cells = getattr(fn, "__closure__", None) or ()
    msgs = dict(zip(names, (c.cell_contents for c in cells))).get("msgs", ())
    return [str(m) for m in msgs]


def _summary(msgs: tuple[str, ...], limit: int = 160) -> str:
    """A branched check (Diffrax's result codes) has many messages: first lines, cut short."""
    lines = [m.strip().splitlines()[0] for m in msgs if m.strip()]
    if not lines:
        return "<no message>"
    text = " | ".join(lines)
    return text if len(text) <= limit else f"{text[:limit].rstrip()}... ({len(lines)} messages)"


def _eqns(jaxpr: Any, outer: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every eqn, nested ones included, with its chain of enclosing eqns (itself first)."""
    for e in jaxpr.eqns:
        chain = (e, *outer)
        yield e, chain
        for p in e.params.values():
            for sub in p if isinstance(p, (tuple, list)) else (p,):
                inner = getattr(sub, "jaxpr", sub)
                if hasattr(inner, "eqns"):
                    yield from _eqns(inner, chain)


def warn_dropped_checks(closed: Any, where: Callable[[Any], str | None]) -> None:
    """One warning per eqx.error_if in the program; `where(eqn)` is its user source line, if any
    (asked only for the checks found: source lookups are the costly part of a capture's walk)."""
    seen = set()
    for e, chain in _eqns(closed.jaxpr):
        if e.primitive.name != "pure_callback" or callback_identity(e.params.get("callback")) not in EQUINOX_ERROR_CALLBACKS:
            continue
        # Eqns made inside a library's custom_jvp carry no user frame: the nearest caller's line.
        at = next((line for line in map(where, chain) if line), "<unknown source>")
        msgs = tuple(_messages(e.params["callback"]))
        # `raises` and `tpu_msg` come in pairs for one check.
        if (msgs, at) in seen:
            continue
        seen.add((msgs, at))
        text = _summary(msgs)
        warnings.warn(
            f"eqx.error_if check {text!r} at {at} cannot raise in ONNX: the model gives NaN (ints: their largest "
            "value, bools: True) where the check fails, as Equinox does with EQX_ON_ERROR=nan.",
            DroppedCheckWarning,
            stacklevel=4,
        )
