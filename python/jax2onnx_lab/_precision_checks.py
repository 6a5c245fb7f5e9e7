"""``enable_double_precision=True`` promises a float64 program; arrays made before
``jax_enable_x64`` was on break that promise silently.

An array built at import time (``diffrax.SaveAt(ts=jnp.linspace(...))``, a module's weights, a
``jnp.asarray`` table) is float32 even when the program is later traced under x64. JAX keeps it
float32, and where it meets only other float32 values or Python numbers the arithmetic stays
float32 (Diffrax then steps its whole time axis in float32). The ONNX model does exactly what
JAX's program does, but XLA on CPU rewrites float32 arithmetic (it contracts ``a * b + c`` into
one fused multiply-add and turns ``x / c`` into ``x * (1 / c)``), so the two differ by float32
ulps, ~1e-7, where a float64 program agrees to ~1e-15. One warning names every such array.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

SINGLE_PRECISION = frozenset({np.dtype(np.float32), np.dtype(np.complex64)})


class SinglePrecisionWarning(UserWarning):
    """A float32 (complex64) array closed over by a program converted with enable_double_precision=True."""


def _first_uses(jaxpr: Any) -> dict[Any, Any]:
    """constvar -> the first top-level eqn that reads it."""
    uses: dict[Any, Any] = {}  # literals are unhashable: constvars are matched by identity
    consts = {id(v) for v in jaxpr.constvars}
    for e in jaxpr.eqns:
        for v in e.invars:
            if id(v) in consts and v not in uses:
                uses[v] = e
    return uses


def warn_single_precision_constants(closed: Any, names: dict[int, str], where: Callable[[Any], str | None]) -> None:
    """Warns once about the program's single-precision constants: `names` maps id(array) to a
    weight's path, `where(eqn)` gives an eqn's user source line."""
    uses = _first_uses(closed.jaxpr)
    found = []
    for v, c in zip(closed.jaxpr.constvars, closed.consts):
        dtype = np.dtype(v.aval.dtype)
        if dtype not in SINGLE_PRECISION:
            continue
        name = names.get(id(c))
        at = where(uses[v]) if v in uses else None
        found.append((f"{name}: " if name else "") + f"{dtype.name}{list(v.aval.shape)}" + (f" (first used at {at})" if at else ""))
    if not found:
        return
    shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
    warnings.warn(
        f"enable_double_precision=True, but the program closes over single-precision arrays made before "
        f"jax_enable_x64 was on: {shown}. JAX computes with them as they are (arithmetic among them and Python "
        "numbers stays float32) and so does the ONNX model, which then matches JAX only to float32 precision. "
        "Create them under jax.enable_x64(True), or cast them with .astype(jnp.float64), for a float64 program.",
        SinglePrecisionWarning,
        stacklevel=4,
    )
