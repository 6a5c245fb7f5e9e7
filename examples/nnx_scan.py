"""A Flax NNX model whose layers are stacked and run with nnx.scan (one Loop/Scan body,
whatever the depth)."""

from flax import nnx

from examples._example import Example


class Layer(nnx.Module):
    def __init__(self, dim, *, rngs):
        self.linear = nnx.Linear(dim, dim, rngs=rngs)
        self.norm = nnx.LayerNorm(dim, rngs=rngs)

    def __call__(self, x):
        return x + nnx.gelu(self.linear(self.norm(x)))


class Stack(nnx.Module):
    def __init__(self, dim, depth, *, rngs):
        @nnx.split_rngs(splits=depth)
        @nnx.vmap(in_axes=(0,), out_axes=0)
        def make(rngs):
            return Layer(dim, rngs=rngs)

        self.layers = make(rngs)
        self.head = nnx.Linear(dim, 4, rngs=rngs)

    def __call__(self, x):
        @nnx.scan(in_axes=(0, nnx.Carry), out_axes=nnx.Carry)
        def run(layer, x):
            return layer(x)

        return self.head(run(self.layers, x))


EXAMPLE = Example(
    "nnx_scan",
    "Layers run with nnx.scan (Flax NNX)",
    lambda: Stack(16, 4, rngs=nnx.Rngs(0)),
    [("B", 16)],
    dims=({"B": 1}, {"B": 3}),
)
