"""Writes a small Flax NNX model with two module scopes (encoder, decoder) for the widget screenshots.

    .venv/bin/python bench/widget/two_scopes.py OUTPUT.onnx
"""

import sys

from flax import nnx

from jax2onnx_lab import to_onnx


class Encoder(nnx.Module):
    def __init__(self, rngs):
        self.dense = nnx.Linear(16, 32, rngs=rngs)
        self.norm = nnx.LayerNorm(32, rngs=rngs)

    def __call__(self, x):
        return nnx.relu(self.norm(self.dense(x)))


class Decoder(nnx.Module):
    def __init__(self, rngs):
        self.dense = nnx.Linear(32, 8, rngs=rngs)

    def __call__(self, h):
        return nnx.softmax(self.dense(h))


class TwoScopes(nnx.Module):
    def __init__(self, rngs):
        self.encoder = Encoder(rngs)
        self.decoder = Decoder(rngs)

    def __call__(self, x):
        return self.decoder(self.encoder(x))


if __name__ == "__main__":
    to_onnx(TwoScopes(nnx.Rngs(0)), [("B", 16)], return_mode="file", output_path=sys.argv[1])
