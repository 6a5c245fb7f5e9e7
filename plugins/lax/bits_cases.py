"""Cases for plugins/lax/bits.ts: shifts (amounts past the bit width and negative ones included),
population_count and clz over signed and unsigned integers. Integer results are exact (tolerance 0)."""

import functools

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab import testing
from jax2onnx_lab.testing import edge_values

Case = functools.partial(testing.Case, rtol=0.0, atol=0.0)


def _s(dtype, *shape):
    return jax.ShapeDtypeStruct(shape, dtype)


def _amounts(x):
    """Shift amounts in [-3, 2 * bits): below zero, in range and at or past the width."""
    bits = jnp.iinfo(x.dtype).bits
    return (jnp.arange(x.size, dtype=jnp.int32).reshape(x.shape) * 7 % (2 * bits + 3) - 3).astype(x.dtype)


SHIFTS = [("shift_left", lax.shift_left), ("shift_right_logical", lax.shift_right_logical), ("shift_right_arithmetic", lax.shift_right_arithmetic)]
DTYPES = [jnp.int32, jnp.uint32, jnp.int8, jnp.uint8, jnp.int16, jnp.uint16]

CASES = [
    *[
        Case(f"{name}_{jnp.dtype(d).name}", lambda x, f=f: f(x, _amounts(x)), [_s(d, 4, 6)], sample=edge_values, expect_ops=["BitShift"])
        for name, f in SHIFTS
        for d in DTYPES
    ],
    # Amounts as a second input (random small values, negative ones for signed types).
    Case("shift_left_two_inputs", lax.shift_left, [_s(jnp.int32, "B", 5), _s(jnp.int32, "B", 5)]),
    Case("shift_right_arithmetic_two_inputs", lax.shift_right_arithmetic, [_s(jnp.int32, "B", 5), _s(jnp.int32, "B", 5)]),
    Case("shift_right_logical_scalar_amount", lambda x: lax.shift_right_logical(x, jnp.uint32(9)), [_s(jnp.uint32, "B", 5)], sample=edge_values),
    Case("jnp_right_shift_int8", lambda x: jnp.right_shift(x, 3), [_s(jnp.int8, 3, 4)], sample=edge_values),
    Case("shift_left_rank0", lambda x: lax.shift_left(x, jnp.int32(3)), [_s(jnp.int32)], sample=edge_values),
    Case("shift_left_size0", lambda x: lax.shift_left(x, x), [_s(jnp.int32, 0, 3)]),
    *[Case(f"population_count_{jnp.dtype(d).name}", lax.population_count, [_s(d, 4, 5)], sample=edge_values) for d in DTYPES],
    *[Case(f"clz_{jnp.dtype(d).name}", lax.clz, [_s(d, 4, 5)], sample=edge_values) for d in DTYPES],
    Case("population_count_symbolic", lax.population_count, [_s(jnp.uint32, "B", 3)], sample=edge_values),
    # not and sign on unsigned integers (table rows in elementwise.ts).
    Case("not_uint32", lax.bitwise_not, [_s(jnp.uint32, 3, 4)], sample=edge_values),
    Case("not_uint8", lax.bitwise_not, [_s(jnp.uint8, 3, 4)], sample=edge_values),
    Case("sign_uint32", lax.sign, [_s(jnp.uint32, 3, 4)], sample=edge_values),
]
