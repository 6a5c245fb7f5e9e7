"""A ViT-tiny: patch embedding (a strided conv), class token and position embedding, two
pre-norm encoder blocks with multi-head self-attention and an MLP, LayerNorm, Linear head."""

import jax
import jax.numpy as jnp
from flax import nnx

from examples._example import Example


class Attention(nnx.Module):
    def __init__(self, dim, heads, *, rngs):
        self.heads = heads
        self.qkv = nnx.Linear(dim, 3 * dim, rngs=rngs)
        self.out = nnx.Linear(dim, dim, rngs=rngs)

    def __call__(self, x):
        b, n, d = x.shape
        q, k, v = jnp.split(self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads), 3, axis=2)
        q, k, v = (t[:, :, 0].transpose(0, 2, 1, 3) for t in (q, k, v))
        weights = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(d // self.heads), axis=-1)
        return self.out((weights @ v).transpose(0, 2, 1, 3).reshape(b, n, d))


class Block(nnx.Module):
    def __init__(self, dim, heads, *, rngs):
        self.norm1 = nnx.LayerNorm(dim, rngs=rngs)
        self.attn = Attention(dim, heads, rngs=rngs)
        self.norm2 = nnx.LayerNorm(dim, rngs=rngs)
        self.fc1 = nnx.Linear(dim, 2 * dim, rngs=rngs)
        self.fc2 = nnx.Linear(2 * dim, dim, rngs=rngs)

    def __call__(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(nnx.gelu(self.fc1(self.norm2(x))))


class ViT(nnx.Module):
    def __init__(self, *, dim=32, heads=4, depth=2, patch=4, image=16, classes=10, rngs):
        self.patches = nnx.Conv(3, dim, (patch, patch), strides=patch, padding="VALID", rngs=rngs)
        self.cls = nnx.Param(jax.random.normal(rngs.params(), (1, 1, dim)) * 0.02)
        self.pos = nnx.Param(jax.random.normal(rngs.params(), (1, (image // patch) ** 2 + 1, dim)) * 0.02)
        self.blocks = nnx.List([Block(dim, heads, rngs=rngs) for _ in range(depth)])
        self.norm = nnx.LayerNorm(dim, rngs=rngs)
        self.head = nnx.Linear(dim, classes, rngs=rngs)

    def __call__(self, x):
        x = self.patches(x)
        b = x.shape[0]
        x = x.reshape(b, -1, x.shape[-1])
        x = jnp.concatenate([jnp.broadcast_to(self.cls[...], (b, 1, x.shape[-1])), x], axis=1) + self.pos[...]
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


EXAMPLE = Example("vit_tiny", "ViT-tiny (Flax NNX): patch embedding, multi-head attention, LayerNorm", lambda: ViT(rngs=nnx.Rngs(0)), [(2, 16, 16, 3)], atol=1e-4)
