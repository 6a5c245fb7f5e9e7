"""The seed README's MLP: Linear, Dropout, BatchNorm, gelu, Linear (Flax NNX)."""

from flax import nnx

from examples._example import Example, randomize_batch_norm


class MLP(nnx.Module):
    def __init__(self, din, dmid, dout, *, rngs):
        self.linear1 = nnx.Linear(din, dmid, rngs=rngs)
        self.dropout = nnx.Dropout(rate=0.1, rngs=rngs)
        self.bn = nnx.BatchNorm(dmid, rngs=rngs)
        self.linear2 = nnx.Linear(dmid, dout, rngs=rngs)

    def __call__(self, x):
        x = nnx.gelu(self.dropout(self.bn(self.linear1(x))))
        return self.linear2(x)


EXAMPLE = Example(
    "seed_mlp",
    "Seed MLP (Flax NNX)",
    lambda: randomize_batch_norm(MLP(30, 20, 10, rngs=nnx.Rngs(0))),
    [("B", 30)],
    dims=({"B": 1}, {"B": 17}),
)
