"""The MNIST CNN in Flax Linen (converted through ``functools.partial(model.apply, variables)``)."""

import functools

import flax.linen as nn
import jax
import jax.numpy as jnp

from examples._example import Example


class CNN(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.avg_pool(nn.relu(nn.Conv(32, (3, 3), name="conv1")(x)), (2, 2), (2, 2))
        x = nn.avg_pool(nn.relu(nn.Conv(64, (3, 3), name="conv2")(x)), (2, 2), (2, 2))
        x = x.reshape(x.shape[0], -1)
        x = nn.relu(nn.Dense(256, name="linear1")(x))
        return nn.Dense(10, name="linear2")(x)


def build():
    model = CNN()
    variables = model.init(jax.random.key(0), jnp.ones((1, 28, 28, 1)))
    return functools.partial(model.apply, variables)


EXAMPLE = Example("cnn_linen", "MNIST CNN (Flax Linen)", build, [("B", 28, 28, 1)], dims=({"B": 2},))
