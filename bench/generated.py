"""Generated programs for the scaling curves (bench/scaling.py): as many eqns, or as many weight
bytes, as asked, built from ordinary JAX so their jaxprs are real ones.

- `eqn_program(n)`: ~n eqns of the kinds real models are made of: matmuls against small weights,
  bias adds, activations, reshapes and transposes, reductions, under nested `jax.named_scope`s
  (module scopes). Every block's result feeds the next, so nothing is dead code, and each block
  has its own weights, so nothing folds or merges away.
- `weight_program(total_bytes)`: a chain of float32 matmuls whose weights add up to total_bytes
  (few eqns, big weights: what external data and the writer are measured on).

Depends only on jax and numpy, so both venvs (ours, the reference's) can import it.
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

WIDTH = 16
# Eqns one block makes (counted from its jaxpr; bench/scaling.py reports the real count).
EQNS_PER_BLOCK = 13


def _block_weights(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    w = (rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)).astype(np.float32)
    b = rng.standard_normal((WIDTH,)).astype(np.float32) * 0.1
    return w, b


def eqn_program(n_eqns: int, seed: int = 0) -> tuple[Callable[[Any], Any], tuple[Any, ...]]:
    """A callable of ~n_eqns eqns on input ("B", WIDTH), and its input spec."""
    rng = np.random.default_rng(seed)
    blocks = [_block_weights(rng) for _ in range(max(1, n_eqns // EQNS_PER_BLOCK))]
    weights = [(jnp.asarray(w), jnp.asarray(b)) for w, b in blocks]

    def program(x: jax.Array) -> jax.Array:
        for i, (w, b) in enumerate(weights):
            with jax.named_scope(f"stage{i // 100}"), jax.named_scope(f"block{i}"):
                h = jnp.tanh(x @ w + b)  # dot_general, add, tanh (+ broadcast of b)
                h = h.reshape(-1, WIDTH // 4, 4).transpose(0, 2, 1).reshape(-1, WIDTH)
                x = x + 0.5 * h - jnp.mean(h, axis=-1, keepdims=True)
        return x

    return program, ("B", WIDTH)


def weight_program(total_bytes: int, width: int = 2048) -> tuple[Callable[[Any], Any], tuple[Any, ...]]:
    """A chain of width x width float32 matmuls holding ~total_bytes of weights."""
    layer_bytes = width * width * 4
    depth = max(1, round(total_bytes / layer_bytes))
    # numpy, drawn in float32 and scaled in place: the weights exist exactly once, so the peak RSS
    # rise of a conversion over the baseline reads as "x the weight bytes".
    rng = np.random.default_rng(0)
    layers = []
    for _ in range(depth):
        w = rng.standard_normal((width, width), dtype=np.float32)
        w *= 1.0 / np.sqrt(width)
        layers.append(w)

    def program(x: jax.Array) -> jax.Array:
        for w in layers:
            x = jnp.tanh(x @ w)
        return x

    program.weights = layers  # type: ignore[attr-defined]
    return program, ("B", width)


def weight_bytes(program: Callable[..., Any]) -> int:
    """The weight bytes a weight_program closes over."""
    return sum(w.nbytes for w in program.weights)  # type: ignore[attr-defined]
