"""Diffrax ODE solves (diffrax.diffeqsolve): real physics code through while, cond, scan,
Equinox's internal primitives and eqx.error_if's run-time checks (plugins/control/*,
plugins/equinox/*)."""

import diffrax
import jax.numpy as jnp

from jax2onnx_lab.testing import Case


def _save_at():
    """SaveAt(ts) made while tracing, so the times follow the trace's precision: one made at import
    is float32, and under x64 it keeps Diffrax's whole time axis float32 (the float64 twins then
    matched JAX only to ~1e-7; see python/jax2onnx_lab/_precision_checks.py)."""
    return diffrax.SaveAt(ts=jnp.linspace(0.0, 2.0, 9))


def _decay_forced(t, y, args):
    return -0.8 * y + jnp.sin(3.0 * t)


def _tsit5_fixed(y0):
    """Fixed-step Tsit5: a bounded while over steps, interpolated to SaveAt(ts)."""
    sol = diffrax.diffeqsolve(diffrax.ODETerm(_decay_forced), diffrax.Tsit5(), t0=0.0, t1=2.0, dt0=0.05, y0=y0, saveat=_save_at())
    return sol.ys


def _dopri5_adaptive(y0):
    """Adaptive Dopri5 with a PID controller: the number of steps depends on the data."""
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(_decay_forced),
        diffrax.Dopri5(),
        t0=0.0,
        t1=2.0,
        dt0=0.1,
        y0=y0,
        saveat=_save_at(),
        stepsize_controller=diffrax.PIDController(rtol=1e-5, atol=1e-6),
    )
    return sol.ys, sol.stats["num_steps"]


CASES = [
    # float64 twins: measured 3e-16 abs / 3e-14 rel off JAX (a solve is hundreds of float64 ops).
    Case("diffrax_tsit5_fixed_step", _tsit5_fixed, [(3,)], rtol=1e-5, atol=1e-5, expect_ops=["Loop"], rtol64=1e-12, atol64=1e-12),
    Case("diffrax_dopri5_pid", _dopri5_adaptive, [(3,)], rtol=1e-5, atol=1e-5, expect_ops=["Loop"], rtol64=1e-12, atol64=1e-12),
]
