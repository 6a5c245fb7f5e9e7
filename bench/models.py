"""The benchmark's models, built the same way in both venvs (ours and the reference's).

Depends only on jax and flax, so `bench/measure.py` can import it from either venv. Each entry
of MODELS builds a model in eval mode and names the input spec both converters receive.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import jax
from flax import nnx


class SeedMLP(nnx.Module):
    """The quickstart MLP (examples/quickstart.py), copied because that file imports our package."""

    def __init__(self, din: int, dmid: int, dout: int, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(din, dmid, rngs=rngs)
        self.dropout = nnx.Dropout(rate=0.1, rngs=rngs)
        self.bn = nnx.BatchNorm(dmid, rngs=rngs)
        self.linear2 = nnx.Linear(dmid, dout, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = nnx.gelu(self.dropout(self.bn(self.linear1(x))))
        return self.linear2(x)


class WideMLP(nnx.Module):
    """A stack of square Linear+gelu layers: few ops, big weights, so file writing and memory dominate."""

    def __init__(self, width: int, depth: int, *, rngs: nnx.Rngs):
        # nnx.List, not a plain list: Flax 0.12 only tracks submodules held in its own containers.
        self.layers = nnx.List([nnx.Linear(width, width, rngs=rngs) for _ in range(depth)])

    def __call__(self, x: jax.Array) -> jax.Array:
        for layer in self.layers:
            x = nnx.gelu(layer(x))
        return x


@dataclasses.dataclass(frozen=True)
class BenchModel:
    name: str
    title: str
    build: Callable[[], nnx.Module]
    inputs: list[tuple[Any, ...]]
    # Batch size used for the parity check and the onnxruntime latency.
    batch: int
    # Parity tolerance on max abs error: the wide model sums 4096 products per output in float32.
    atol: float
    # Runs per measurement: a big model's conversions take seconds each, a small one's milliseconds.
    warm_runs: int = 20
    first_runs: int = 3
    ort_rounds: int = 200


def _seed_mlp() -> nnx.Module:
    return SeedMLP(din=30, dmid=20, dout=10, rngs=nnx.Rngs(0))


def _wide_mlp() -> nnx.Module:
    return WideMLP(width=4096, depth=4, rngs=nnx.Rngs(0))


def _wide_mlp_600m() -> nnx.Module:
    # 36 layers of 4096 x 4096 + bias: 604M parameters, 2.4 GB of float32 weights (external data).
    return WideMLP(width=4096, depth=36, rngs=nnx.Rngs(0))


MODELS: dict[str, BenchModel] = {
    "seed_mlp": BenchModel("seed_mlp", "the seed README's MLP (Linear, Dropout, BatchNorm, gelu)", _seed_mlp, [("B", 30)], batch=17, atol=1e-5, warm_runs=15, first_runs=2),
    "mlp_67m": BenchModel("mlp_67m", "4 x Linear(4096) + gelu", _wide_mlp, [("B", 4096)], batch=8, atol=1e-4, warm_runs=5, first_runs=2, ort_rounds=30),
    "mlp_600m": BenchModel(
        "mlp_600m", "36 x Linear(4096) + gelu, weights as external data", _wide_mlp_600m, [("B", 4096)], batch=4, atol=1e-4,
        warm_runs=1, first_runs=1, ort_rounds=5,
    ),  # fmt: skip
}


def build_eval(name: str) -> nnx.Module:
    """The model in inference mode: Dropout off, BatchNorm on its running statistics."""
    model = MODELS[name].build()
    model.eval()
    return model


def parameter_count(model: nnx.Module) -> int:
    """Trainable parameters only (BatchNorm's running mean/var are state, not nnx.Param)."""
    return sum(x.size for x in jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
