"""The models of the seed README and the Flax MNIST tutorial, as the tests convert them."""

from flax import nnx

from examples.mnist_cnn import CNN  # noqa: F401  (the Flax NNX MNIST tutorial's CNN, NHWC)


class MLP(nnx.Module):
    """The reference README's quickstart MLP; `approximate` picks tanh-gelu or exact (erf) gelu."""

    def __init__(self, din, dmid, dout, *, rngs, approximate=True):
        self.linear1 = nnx.Linear(din, dmid, rngs=rngs)
        self.dropout = nnx.Dropout(rate=0.1, rngs=rngs)
        self.bn = nnx.BatchNorm(dmid, rngs=rngs)
        self.linear2 = nnx.Linear(dmid, dout, rngs=rngs)
        self.approximate = approximate

    def __call__(self, x):
        x = nnx.gelu(self.dropout(self.bn(self.linear1(x))), approximate=self.approximate)
        return self.linear2(x)


class MLPBlock(nnx.Module):
    """The reference README's ONNX-function example block (here without @onnx_function)."""

    def __init__(self, dim, *, rngs):
        self.linear1 = nnx.Linear(dim, dim, rngs=rngs)
        self.linear2 = nnx.Linear(dim, dim, rngs=rngs)
        self.batchnorm = nnx.BatchNorm(dim, rngs=rngs)

    def __call__(self, x):
        return nnx.gelu(self.linear2(self.batchnorm(nnx.gelu(self.linear1(x)))))


class MyModel(nnx.Module):
    def __init__(self, dim, *, rngs):
        self.block1 = MLPBlock(dim, rngs=rngs)
        self.block2 = MLPBlock(dim, rngs=rngs)

    def __call__(self, x):
        return self.block2(self.block1(x))


def eval_mode(model):
    model.eval()
    return model


def equinox_net(key):
    """A small Equinox model: Linear + LayerNorm + gelu blocks in a list, then a head."""
    import equinox as eqx
    import jax

    class Block(eqx.Module):
        lin: eqx.nn.Linear
        norm: eqx.nn.LayerNorm

        def __init__(self, key):
            self.lin = eqx.nn.Linear(8, 8, key=key)
            self.norm = eqx.nn.LayerNorm(8)

        def __call__(self, x):
            return jax.nn.gelu(self.norm(self.lin(x)))

    class Net(eqx.Module):
        blocks: list
        head: eqx.nn.Linear

        def __init__(self, key):
            k1, k2, k3 = jax.random.split(key, 3)
            self.blocks = [Block(k1), Block(k2)]
            self.head = eqx.nn.Linear(8, 3, key=k3)

        def __call__(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    return Net(key)
