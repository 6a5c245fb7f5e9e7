"""Recurrent layers from Flax Linen, Keras 3 (JAX backend) and Haiku: scans over time,
forward and reversed, lowered through plugins/control/scan.ts."""

import os

# Keras 3 picks its backend at import: JAX, before anything imports keras.
os.environ.setdefault("KERAS_BACKEND", "jax")

import flax.linen as nn  # noqa: E402
import haiku as hk  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402

from jax2onnx_lab.testing import Case  # noqa: E402

assert keras.backend.backend() == "jax", "the Keras cases need KERAS_BACKEND=jax before keras is imported"


class _BiLSTM(nn.Module):
    @nn.compact
    def __call__(self, x):
        return nn.Bidirectional(nn.RNN(nn.LSTMCell(5)), nn.RNN(nn.LSTMCell(5)))(x)


def _linen_bilstm():
    model = _BiLSTM()
    params = model.init(jax.random.key(0), jnp.ones((1, 6, 3)))
    return lambda x: model.apply(params, x)


def _keras_bilstm():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 3)), keras.layers.Bidirectional(keras.layers.LSTM(5, return_sequences=True))])
    return lambda x: model(x)


def _haiku_lstm():
    def unrolled(x):
        core = hk.LSTM(5)
        out, state = hk.dynamic_unroll(core, x, core.initial_state(x.shape[1]))
        return out, state.hidden, state.cell

    fn = hk.without_apply_rng(hk.transform(unrolled))
    params = fn.init(jax.random.key(0), jnp.ones((6, 2, 3)))
    return lambda x: fn.apply(params, x)


CASES = [
    # Linen's nn.RNN makes PRNG keys for its carry initialiser; they reach no output.
    Case("linen_bidirectional_lstm", _linen_bilstm(), [("B", 6, 3)], expect_ops=["Scan"], float64=False),  # no x64 twin: float32 params with float64 inputs make JAX itself refuse the scan carry
    Case("keras_bidirectional_lstm", _keras_bilstm(), [(2, 6, 3)], expect_ops=["Scan"], float64=False),  # no x64 twin: float32 weights with float64 inputs, as above
    Case("haiku_lstm_dynamic_unroll", _haiku_lstm(), [(6, 2, 3)], expect_ops=["Scan"]),
]
