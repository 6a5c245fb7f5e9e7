"""A GPT-style decoder: token + position embeddings (gather), causal self-attention, pre-norm
blocks, tied output projection; int32 tokens with symbolic batch and sequence length."""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from examples._example import Example

VOCAB = 64


class CausalAttention(nnx.Module):
    def __init__(self, dim, heads, *, rngs):
        self.heads = heads
        self.qkv = nnx.Linear(dim, 3 * dim, rngs=rngs)
        self.out = nnx.Linear(dim, dim, rngs=rngs)

    def __call__(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = jnp.split(self.qkv(x), 3, axis=-1)
        q, k, v = (a.reshape(b, t, h, d // h).transpose(0, 2, 1, 3) for a in (q, k, v))
        scores = q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(d // h)
        mask = jnp.tril(jnp.ones((t, t), dtype=bool))
        weights = jax.nn.softmax(jnp.where(mask, scores, -1e9), axis=-1)
        return self.out((weights @ v).transpose(0, 2, 1, 3).reshape(b, t, d))


class Block(nnx.Module):
    def __init__(self, dim, heads, *, rngs):
        self.norm1 = nnx.LayerNorm(dim, rngs=rngs)
        self.attn = CausalAttention(dim, heads, rngs=rngs)
        self.norm2 = nnx.LayerNorm(dim, rngs=rngs)
        self.fc1 = nnx.Linear(dim, 4 * dim, rngs=rngs)
        self.fc2 = nnx.Linear(4 * dim, dim, rngs=rngs)

    def __call__(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(nnx.gelu(self.fc1(self.norm2(x))))


class GPT(nnx.Module):
    def __init__(self, *, dim=32, heads=4, depth=2, max_len=16, rngs):
        self.tokens = nnx.Embed(VOCAB, dim, rngs=rngs)
        self.positions = nnx.Embed(max_len, dim, rngs=rngs)
        self.blocks = nnx.List([Block(dim, heads, rngs=rngs) for _ in range(depth)])
        self.norm = nnx.LayerNorm(dim, rngs=rngs)

    def __call__(self, ids):
        x = self.tokens(ids) + self.positions(jnp.arange(ids.shape[1]))[None]
        for block in self.blocks:
            x = block(x)
        return self.tokens.attend(self.norm(x))


def token_ids(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    return rng.integers(0, VOCAB, size=shape).astype(dtype)


token_ids.all_dtypes = True  # the harness applies it to integer inputs too


EXAMPLE = Example(
    "gpt",
    "GPT-style decoder (Flax NNX): embeddings by gather, causal attention, int32 tokens, symbolic batch and sequence",
    lambda: GPT(rngs=nnx.Rngs(0)),
    [jax.ShapeDtypeStruct((jax.export.symbolic_shape("B")[0], jax.export.symbolic_shape("T")[0]), jnp.int32)],
    dims=({"B": 1, "T": 5}, {"B": 2, "T": 16}),
    atol=1e-4,
    sample=token_ids,
)
