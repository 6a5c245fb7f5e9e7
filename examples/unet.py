"""A small U-Net: two downsampling conv stages, a bottleneck, two transposed-conv upsampling
stages with skip connections (Flax NNX)."""

import jax.numpy as jnp
from flax import nnx

from examples._example import Example


class UNet(nnx.Module):
    def __init__(self, *, rngs):
        self.down1 = nnx.Conv(3, 8, (3, 3), rngs=rngs)
        self.down2 = nnx.Conv(8, 16, (3, 3), strides=2, rngs=rngs)
        self.bottom = nnx.Conv(16, 16, (3, 3), rngs=rngs)
        self.up1 = nnx.ConvTranspose(16, 8, (2, 2), strides=2, rngs=rngs)
        self.merge = nnx.Conv(16, 8, (3, 3), rngs=rngs)
        self.out = nnx.Conv(8, 2, (1, 1), rngs=rngs)

    def __call__(self, x):
        d1 = nnx.relu(self.down1(x))
        d2 = nnx.relu(self.down2(d1))
        b = nnx.relu(self.bottom(d2))
        u = nnx.relu(self.up1(b))
        return self.out(nnx.relu(self.merge(jnp.concatenate([u, d1], axis=-1))))


EXAMPLE = Example(
    "unet",
    "U-Net with transposed convs (Flax NNX)",
    lambda: UNet(rngs=nnx.Rngs(0)),
    [("B", 16, 16, 3)],
    dims=({"B": 2},),
    atol=1e-4,
)
