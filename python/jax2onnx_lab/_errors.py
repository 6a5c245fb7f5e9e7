"""Errors raised by jax2onnx_lab. Messages say what failed, where, and what to do."""

from __future__ import annotations

from typing import Any


class ConversionError(Exception):
    """The converter could not turn the traced program into ONNX.

    ``kind`` is ``"unsupported_primitives"``, ``"lowering_failed"``, ``"invalid_capture"``,
    ``"capture_failed"``, ``"converter_crashed"``, ``"timeout"``, ``"too_large"`` or ``"internal"``; ``sites`` lists each problem with its primitive,
    shapes, source line and module scope.
    """

    def __init__(self, message: str, *, kind: str = "internal", sites: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.kind = kind
        self.sites = sites or []


class UnsupportedPrimitiveError(ConversionError):
    """The program uses JAX primitives that have no ONNX lowering rule (all are listed)."""


def error_from_reply(error: dict[str, Any]) -> ConversionError:
    kind = error.get("kind", "internal")
    message = error.get("message", "conversion failed")
    if kind == "internal" and error.get("stack"):
        message = f"internal converter error (please report it): {message}\n{error['stack']}"
    cls = UnsupportedPrimitiveError if kind == "unsupported_primitives" else ConversionError
    return cls(message, kind=kind, sites=error.get("sites"))
