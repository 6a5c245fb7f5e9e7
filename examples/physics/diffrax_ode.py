"""A Diffrax solve of a small ODE system: a damped, driven pendulum (theta, omega) integrated
with adaptive Dopri5 + a PID step-size controller, the trajectory saved at SaveAt(ts=...).

    theta' = omega,   omega' = -(g / l) sin(theta) - damping * omega + drive * cos(w t)

    .venv/bin/python examples/physics/diffrax_ode.py
"""

from __future__ import annotations

import diffrax
import jax.numpy as jnp
import numpy as np

T1 = 5.0
SAVES = 26
BATCH = 4
# Static sizes: the PID controller's RMS norm (lineax) takes math.sqrt of the state's size,
# which a symbolic dimension cannot give.
INPUTS = [(BATCH,), (BATCH,), (4,)]


def field(t, state, params):
    theta, omega = state
    g_over_l, damping, drive, w = params[0], params[1], params[2], params[3]
    return omega, -g_over_l * jnp.sin(theta) - damping * omega + drive * jnp.cos(w * t)


def solve(theta0, omega0, params):
    """theta and omega at SAVES times in [0, T1] for a batch of pendulums: [SAVES, B] each."""
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(field),
        diffrax.Dopri5(),
        t0=0.0,
        t1=T1,
        dt0=0.05,
        y0=(theta0, omega0),
        args=params,
        saveat=diffrax.SaveAt(ts=jnp.linspace(0.0, T1, SAVES)),
        stepsize_controller=diffrax.PIDController(rtol=1e-5, atol=1e-6),
        max_steps=4096,
    )
    return sol.ys


def sample(batch: int = BATCH, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.uniform(-1.5, 1.5, batch).astype(np.float32),
        rng.uniform(-1.0, 1.0, batch).astype(np.float32),
        np.array([9.81, 0.3, 0.8, 2.0], np.float32),
    ]


if __name__ == "__main__":
    from _run import convert_and_compare

    convert_and_compare(solve, INPUTS, sample(), "diffrax_ode.onnx")
