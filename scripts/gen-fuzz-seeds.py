"""Writes the fuzz tests' seed captures (src/testing/fuzz-seeds/*.j2o) from real JAX programs.

The fuzzers (src/testing/capture-fuzz.ts) mutate these: starting from real captures keeps the
mutants close to what the decoder and the converter really see. Run it again when the interchange
format changes: .venv/bin/python scripts/gen-fuzz-seeds.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
from flax import nnx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python" / "tests"))

from example_models import MLP, eval_mode  # noqa: E402
from jax2onnx_lab import capture  # noqa: E402

OUT = ROOT / "src" / "testing" / "fuzz-seeds"


class TinyCNN(nnx.Module):
    def __init__(self, *, rngs):
        self.conv = nnx.Conv(1, 2, kernel_size=(3, 3), rngs=rngs)
        self.linear = nnx.Linear(2 * 4 * 4, 3, rngs=rngs)

    def __call__(self, x):
        x = nnx.avg_pool(nnx.relu(self.conv(x)), window_shape=(2, 2), strides=(2, 2))
        return self.linear(x.reshape(x.shape[0], -1))


def symbolic(x):
    y = x.reshape(-1, 3) * jnp.arange(3, dtype=x.dtype)
    return jnp.concatenate([y, jnp.cumsum(y, axis=0)], axis=1).sum(axis=1), jnp.argmax(y, axis=1)


@jax.jit
def inner(x):
    return jnp.tanh(x) * 2.0


def nested(x, scale):
    return inner(x) + jax.nn.gelu(x * scale), jnp.int32(3)


def control(x):
    y = jax.lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x)
    return jax.lax.fori_loop(0, 3, lambda i, c: c * 0.5 + i, y)


SEEDS = {
    "mlp": (lambda: eval_mode(MLP(4, 6, 2, rngs=nnx.Rngs(0))), [("B", 4)], {}),
    "cnn": (lambda: TinyCNN(rngs=nnx.Rngs(0)), [("B", 8, 8, 1)], {}),
    "symbolic": (lambda: symbolic, [("B", 2, 3)], {}),
    "nested": (lambda: nested, [(2, 3)], {"input_params": {"scale": 2.0}}),
    "control": (lambda: control, [(3,)], {}),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (make, inputs, kwargs) in SEEDS.items():
        cap = capture(make(), inputs, **kwargs)
        # Source paths as bare file names: the seeds should not carry this machine's layout.
        cap.header["files"] = [os.path.basename(f) for f in cap.header["files"]]
        path = OUT / f"{name}.j2o"
        cap.save(str(path))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
