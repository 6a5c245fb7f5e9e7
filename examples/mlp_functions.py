"""The seed README's @onnx_function example: two calls of one MLPBlock FunctionProto."""

from flax import nnx

from jax2onnx_lab import onnx_function

from examples._example import Example, randomize_batch_norm


@onnx_function
class MLPBlock(nnx.Module):
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


EXAMPLE = Example(
    "mlp_functions",
    "MyModel with two MLPBlock ONNX functions (Flax NNX, @onnx_function)",
    lambda: randomize_batch_norm(MyModel(256, rngs=nnx.Rngs(0))),
    [(100, 256)],
    atol=1e-4,
    functions=("MLPBlock",),
)
