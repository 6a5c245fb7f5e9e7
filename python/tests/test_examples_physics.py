"""The physics examples (examples/physics/): each converted, checked, run in onnxruntime and
onnxruntime-web, and compared with JAX over the whole trajectory, on two sets of inputs (at
two problem sizes where the size is symbolic in the model)."""

import importlib.util
import sys

import jax
import numpy as np
import onnx
import pytest

from harness import ROOT, feed_names
from jax2onnx_lab import to_onnx
from jax2onnx_lab._parity import compare, run_onnxruntime

EXAMPLES = ROOT / "examples" / "physics"
sys.path.insert(0, str(EXAMPLES))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"physics_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# name, program, sample inputs at two sizes, float32 tolerances (the trajectories are compared
# whole: N-body accumulates rounding over 100 steps of a nonlinear system).
CASES = [
    ("nbody", "simulate", ({"n": 4, "seed": 1}, {"n": 8, "seed": 2}), 1e-4, 1e-4),
    ("heat_equation", "simulate", ({"h": 8, "w": 12}, {"h": 24, "w": 32}), 1e-5, 1e-6),
    ("newton_solver", "solve", ({"batch": 3, "seed": 1}, {"batch": 9, "seed": 2}), 1e-5, 1e-5),
    # Adaptive steps: a step-size decision that rounds the other way changes the trajectory slightly.
    ("diffrax_ode", "solve", ({"seed": 1}, {"seed": 2}), 1e-4, 1e-5),
]


@pytest.mark.parametrize("name, program, sizes, rtol, atol", CASES, ids=[c[0] for c in CASES])
def test_example(name, program, sizes, rtol, atol, ort_web):
    module = _load(name)
    fn = getattr(module, program)
    model = to_onnx(fn, module.INPUTS)
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()
    for size in sizes:
        values = module.sample(**size)
        expected = [np.asarray(y) for y in jax.tree_util.tree_leaves(jax.jit(fn)(*values))]
        feeds = dict(zip(feed_names(model), values))
        for runtime, actual in (("onnxruntime", run_onnxruntime(data, feeds)), ("onnxruntime-web", ort_web.run(data, feeds))):
            ok, lines = compare(expected, actual, rtol=rtol, atol=atol)
            assert ok, f"{name} {size}: {runtime} differs from JAX:\n" + "\n".join(lines)


def test_newton_takes_damped_steps_and_a_data_dependent_number_of_iterations():
    """The example exercises the halving branch of its cond and a trip count that depends on the data."""
    m = _load("newton_solver")
    x, y, r, c = m.sample(batch=3, seed=1)
    dx, dy = m.newton_step(x, y, r, c)
    assert m.norm(m.residual(x - dx, y - dy, r, c)) >= m.norm(m.residual(x, y, r, c))
    iterations = {int(m.solve(*m.sample(batch=3, seed=s))[2]) for s in range(4)}
    assert len(iterations) > 1, iterations
