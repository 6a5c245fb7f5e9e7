"""lax.linalg.triangular_solve in all combinations of left_side, lower, transpose_a and
unit_diagonal (conjugate_a: real inputs), on well-conditioned triangles."""

import itertools

import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def _well_conditioned(rng, shape, dtype):
    """A dominant diagonal keeps the solve well conditioned (the other triangle is noise the solve must ignore)."""
    x = rng.standard_normal(shape)
    if shape[-1] == shape[-2] == 4:
        x = x + 4 * np.eye(4) * np.sign(rng.standard_normal(shape[:-1]))[..., None]
    return x.astype(dtype)


def _solve(left, lower, transpose, unit, conjugate=False):
    return lambda a, b: lax.linalg.triangular_solve(a, b, left_side=left, lower=lower, transpose_a=transpose, conjugate_a=conjugate, unit_diagonal=unit)


CASES = [
    Case(
        f"triangular_solve_{'left' if left else 'right'}_{'lower' if lower else 'upper'}{'_T' if transpose else ''}{'_unit' if unit else ''}",
        _solve(left, lower, transpose, unit),
        [(4, 4), (4, 3) if left else (3, 4)],
        sample=_well_conditioned,
        rtol=1e-4,
    )
    for left, lower, transpose, unit in itertools.product([True, False], repeat=4)
] + [
    Case("triangular_solve_batched_symbolic", _solve(True, True, False, False), [("B", 4, 4), ("B", 4, 2)], sample=_well_conditioned, rtol=1e-4),
    Case("triangular_solve_conjugate_real", _solve(True, False, True, False, conjugate=True), [(4, 4), (4, 1)], sample=_well_conditioned, rtol=1e-4),
    Case("triangular_solve_1x1", _solve(False, True, False, False), [(1, 1), (3, 1)], sample=_well_conditioned, rtol=1e-4),
]
