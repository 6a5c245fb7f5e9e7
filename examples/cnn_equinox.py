"""The MNIST CNN in Equinox, converted per sample (Equinox layers take one CHW image)."""

import jax

from examples._example import Example


def build():
    import equinox as eqx

    class CNN(eqx.Module):
        conv1: eqx.nn.Conv2d
        conv2: eqx.nn.Conv2d
        pool: eqx.nn.AvgPool2d
        linear1: eqx.nn.Linear
        linear2: eqx.nn.Linear

        def __init__(self, key):
            k1, k2, k3, k4 = jax.random.split(key, 4)
            self.conv1 = eqx.nn.Conv2d(1, 32, 3, padding=1, key=k1)
            self.conv2 = eqx.nn.Conv2d(32, 64, 3, padding=1, key=k2)
            self.pool = eqx.nn.AvgPool2d(2, 2)
            self.linear1 = eqx.nn.Linear(3136, 256, key=k3)
            self.linear2 = eqx.nn.Linear(256, 10, key=k4)

        def __call__(self, x):
            x = self.pool(jax.nn.relu(self.conv1(x)))
            x = self.pool(jax.nn.relu(self.conv2(x)))
            x = jax.nn.relu(self.linear1(x.reshape(-1)))
            return self.linear2(x)

    return CNN(jax.random.key(0))


EXAMPLE = Example("cnn_equinox", "MNIST CNN (Equinox), one image", build, [(1, 28, 28)])
