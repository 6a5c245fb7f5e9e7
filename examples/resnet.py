"""A ResNet-style stack: conv + BatchNorm + relu stem, two residual blocks (one downsampling
with a 1x1 projection), global average pool, Linear head (Flax NNX)."""

import jax.numpy as jnp
from flax import nnx

from examples._example import Example, randomize_batch_norm


class Residual(nnx.Module):
    def __init__(self, cin, cout, stride, *, rngs):
        self.conv1 = nnx.Conv(cin, cout, (3, 3), strides=stride, use_bias=False, rngs=rngs)
        self.bn1 = nnx.BatchNorm(cout, rngs=rngs)
        self.conv2 = nnx.Conv(cout, cout, (3, 3), use_bias=False, rngs=rngs)
        self.bn2 = nnx.BatchNorm(cout, rngs=rngs)
        self.project = nnx.Conv(cin, cout, (1, 1), strides=stride, use_bias=False, rngs=rngs) if (cin != cout or stride != 1) else None
        self.bn_project = nnx.BatchNorm(cout, rngs=rngs) if self.project is not None else None

    def __call__(self, x):
        y = nnx.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        skip = self.bn_project(self.project(x)) if self.project is not None else x
        return nnx.relu(y + skip)


class ResNet(nnx.Module):
    def __init__(self, *, rngs):
        self.stem = nnx.Conv(3, 16, (3, 3), use_bias=False, rngs=rngs)
        self.bn = nnx.BatchNorm(16, rngs=rngs)
        self.block1 = Residual(16, 16, 1, rngs=rngs)
        self.block2 = Residual(16, 32, 2, rngs=rngs)
        self.head = nnx.Linear(32, 10, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.bn(self.stem(x)))
        x = self.block2(self.block1(x))
        return self.head(jnp.mean(x, axis=(1, 2)))


EXAMPLE = Example(
    "resnet",
    "ResNet-style stack with BatchNorm (Flax NNX)",
    lambda: randomize_batch_norm(ResNet(rngs=nnx.Rngs(0))),
    [("B", 16, 16, 3)],
    dims=({"B": 2},),
    atol=1e-4,
)
