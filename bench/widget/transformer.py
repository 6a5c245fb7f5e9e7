"""A pre-norm transformer encoder in Flax NNX, sized by layers and width, for the in-browser
conversion and parity benchmark (bench/widget/engine_bench.sh)."""

from __future__ import annotations

from flax import nnx


class Block(nnx.Module):
    def __init__(self, dim: int, heads: int, *, rngs: nnx.Rngs):
        self.norm1 = nnx.LayerNorm(dim, rngs=rngs)
        self.attn = nnx.MultiHeadAttention(num_heads=heads, in_features=dim, decode=False, rngs=rngs)
        self.norm2 = nnx.LayerNorm(dim, rngs=rngs)
        self.up = nnx.Linear(dim, 4 * dim, rngs=rngs)
        self.down = nnx.Linear(4 * dim, dim, rngs=rngs)

    def __call__(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.down(nnx.gelu(self.up(self.norm2(x))))


class Encoder(nnx.Module):
    def __init__(self, dim: int, heads: int, layers: int, *, rngs: nnx.Rngs):
        self.blocks = nnx.List([Block(dim, heads, rngs=rngs) for _ in range(layers)])
        self.norm = nnx.LayerNorm(dim, rngs=rngs)

    def __call__(self, x):
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


def encoder(dim: int, heads: int, layers: int) -> Encoder:
    model = Encoder(dim, heads, layers, rngs=nnx.Rngs(0))
    model.eval()
    return model
