"""The Flax NNX MNIST tutorial's CNN: conv, relu, avg_pool twice, then two Linears."""

from functools import partial

from flax import nnx

from examples._example import Example


class CNN(nnx.Module):
    def __init__(self, *, rngs):
        self.conv1 = nnx.Conv(1, 32, kernel_size=(3, 3), rngs=rngs)
        self.conv2 = nnx.Conv(32, 64, kernel_size=(3, 3), rngs=rngs)
        self.avg_pool = partial(nnx.avg_pool, window_shape=(2, 2), strides=(2, 2))
        self.linear1 = nnx.Linear(3136, 256, rngs=rngs)
        self.linear2 = nnx.Linear(256, 10, rngs=rngs)

    def __call__(self, x):
        x = self.avg_pool(nnx.relu(self.conv1(x)))
        x = self.avg_pool(nnx.relu(self.conv2(x)))
        x = x.reshape(x.shape[0], -1)
        x = nnx.relu(self.linear1(x))
        return self.linear2(x)


EXAMPLE = Example("mnist_cnn", "MNIST CNN (Flax NNX)", lambda: CNN(rngs=nnx.Rngs(0)), [("B", 28, 28, 1)], dims=({"B": 1}, {"B": 4}))
