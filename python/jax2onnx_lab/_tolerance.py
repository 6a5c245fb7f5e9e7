"""Default parity tolerances, one row per dtype: what `allclose`, the tests and the widget's parity
panel use unless told otherwise, and what their reports print next to each output.

An element matches when ``|onnx - jax| <= atol + rtol * |jax|``. The rows follow each format's
precision: a few units in the last place of the mantissa, loose enough for the different
accumulation orders of XLA and onnxruntime (matmul, reductions, fused ops) and tight enough to
catch a wrong op. Integers and bools must match exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# dtype name -> (rtol, atol)
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    # Tight enough that a float32 step inside a float64 model (errors ~1e-7) fails.
    "float64": (1e-9, 1e-12),
    "complex128": (1e-9, 1e-12),
    "float32": (1e-5, 1e-5),
    "complex64": (1e-5, 1e-5),
    # 10 mantissa bits (eps ~1e-3); 7 for bfloat16 (eps ~8e-3).
    "float16": (1e-3, 1e-3),
    "bfloat16": (1e-2, 1e-2),
    # 3 and 2 mantissa bits: eps 0.125 and 0.25.
    "float8_e4m3fn": (0.125, 0.125),
    "float8_e4m3fnuz": (0.125, 0.125),
    "float8_e5m2": (0.25, 0.25),
    "float8_e5m2fnuz": (0.25, 0.25),
}
EXACT = (0.0, 0.0)


def default_tolerance(dtype: Any) -> tuple[float, float]:
    """``(rtol, atol)`` for values of `dtype` (a numpy dtype, a name, or an array's dtype)."""
    name = np.dtype(dtype).name
    if name in DEFAULT_TOLERANCES:
        return DEFAULT_TOLERANCES[name]
    kind = np.dtype(dtype).kind
    if kind in "biu":
        return EXACT
    raise ValueError(f"no default parity tolerance for dtype {name}; pass rtol and atol")


def tolerance_table() -> list[dict[str, Any]]:
    """The table as rows (for docs and the widget): dtype, rtol, atol; integers and bool exact."""
    rows = [{"dtype": name, "rtol": r, "atol": a} for name, (r, a) in DEFAULT_TOLERANCES.items()]
    return rows + [{"dtype": "integers, bool", "rtol": 0.0, "atol": 0.0}]


__all__ = ["DEFAULT_TOLERANCES", "default_tolerance", "tolerance_table"]
