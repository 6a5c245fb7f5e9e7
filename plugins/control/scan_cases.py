"""Cases for plugins/control/scan.ts: lax.scan, fori_loop with static bounds, lax.map."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def _cumulative(xs):
    """A counter and an accumulator as two carries, and two stacked outputs."""

    def step(carry, x):
        count, total = carry
        total = total + x
        return (count + 1, total), (total, x * count.astype(x.dtype))

    (count, total), ys = lax.scan(step, (jnp.int32(0), jnp.zeros(xs.shape[1:], xs.dtype)), xs)
    return count, total, ys


def _rnn(xs, h0):
    w = jnp.linspace(-0.5, 0.5, 4 * 4, dtype=jnp.float32).reshape(4, 4)

    def cell(h, x):
        h = jnp.tanh(x @ w + h)
        return h, h * 2.0

    return lax.scan(cell, h0, xs)


def _reverse(xs):
    return lax.scan(lambda c, x: (c * 0.5 + x, c), jnp.zeros(xs.shape[1:], xs.dtype), xs, reverse=True)


def _no_xs(x):
    """scan without xs: a Scan over a dummy input that gives it its length."""
    return lax.scan(lambda c, _: (c * 1.1 + 1.0, c), x, None, length=6)


def _no_xs_reverse(x):
    return lax.scan(lambda c, _: (c + 1.0, c * c), x, None, length=4, reverse=True)


def _fori_static(x):
    return lax.fori_loop(0, 10, lambda i, c: c * 0.9 + jnp.sin(c + i.astype(c.dtype)), x)


def _length(n):
    return lambda xs: lax.scan(lambda c, x: (c + x, c * x), jnp.ones(xs.shape[1:], xs.dtype), xs)


def _nested_jit_in_body(xs):
    @jax.jit
    def f(c, x):
        return c + jax.nn.relu(x), jax.nn.gelu(c)

    return lax.scan(f, jnp.zeros(xs.shape[1:], xs.dtype), xs)


def _cond_in_scan(xs):
    """A traced predicate per step: cond (If) inside scan (Scan)."""

    def step(c, x):
        c = lax.cond(jnp.sum(x) > 0, lambda v: v + x, lambda v: v - 2.0 * x, c)
        return c, c

    return lax.scan(step, jnp.zeros(xs.shape[1:], xs.dtype), xs)


def _float64_and_int(xs):
    def step(c, x):
        f, i = c
        return (f + x.astype(jnp.float32), i * 2 + 1), i

    return lax.scan(step, (jnp.float32(0), jnp.int32(1)), xs)


_KERNEL = jnp.linspace(-0.3, 0.3, 3 * 3 * 2 * 2, dtype=jnp.float32).reshape(3, 3, 2, 2)


def _conv_in_body(x):
    """An NHWC/HWIO convolution stepped in a scan: its kernel's layout is folded once, outside the body."""

    def step(h, _):
        y = jax.lax.conv_general_dilated(h, _KERNEL, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jnp.tanh(y) + h, None

    return jax.lax.scan(step, x, None, length=3)[0]


CASES = [
    Case("scan_counter_accumulator", _cumulative, [(7, "B", 3)], expect_ops=["Scan"]),
    # No x64 twin: jax.jit of this program differs from eager JAX (and numpy) by 3e-8 under x64
    # (XLA's fused float32 linspace), while ONNX matches eager JAX to 1e-16.
    Case("scan_rnn_symbolic_batch", _rnn, [(5, "B", 4), ("B", 4)], expect_ops=["Scan"], float64=False),
    Case("scan_reverse", _reverse, [(6, 2, 3)], expect_ops=["Scan"]),
    # The scanned axis itself symbolic: `length` is a dim expression, the Scan takes it from xs.
    Case("scan_symbolic_length", _reverse, [("T", "B", 3)], dims=({"T": 1, "B": 2}, {"T": 7, "B": 3}), expect_ops=["Scan"]),
    Case("scan_no_xs", _no_xs, [("B", 3)], expect_ops=["Scan"]),
    Case("scan_no_xs_reverse", _no_xs_reverse, [(2,)], expect_ops=["Scan"]),
    Case("fori_loop_static", _fori_static, [("B",)], expect_ops=["Scan"]),
    Case("scan_length_1", _length(1), [(1, 3)]),
    Case("scan_length_0", _length(0), [(0, 3)]),
    Case("scan_jit_gelu_body", _nested_jit_in_body, [(4, "B", 3)]),
    Case("scan_cond_inside", _cond_in_scan, [(8, 3)], expect_ops=["Scan"]),
    Case("scan_int32_carry", _float64_and_int, [(5,)]),
    Case("scan_conv_nhwc_body", _conv_in_body, [("B", 5, 5, 2)], expect_ops=["Scan"], float64=False),  # no x64 twin: its float32 kernel with a float64 input is refused by JAX
    Case("lax_map", lambda xs: lax.map(lambda x: jnp.sum(x * x), xs), [(4, 3)]),
]
