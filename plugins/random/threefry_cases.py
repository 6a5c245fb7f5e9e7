"""Cases for plugins/random/threefry.ts (and the key handling in python/jax2onnx_lab/_keys.py):
jax.random inside a model, with keys passed in as uint32 key data or made from a seed input, gives
JAX's bits exactly (integer outputs: tolerance 0); floats made from those bits hold rtol 1e-6."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jax2onnx_lab import testing

Exact = functools.partial(testing.Case, rtol=0.0, atol=0.0)
Case = functools.partial(testing.Case, rtol=1e-6, atol=1e-6)


@testing.all_dtypes
def _keys(rng, shape, dtype):
    """Full-range uint32 key words (and seeds over the whole int32 range); floats as usual."""
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=np.int64).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _key(*shape):
    return jax.ShapeDtypeStruct((*shape, 2), jnp.uint32)


def _wrap(k):
    return jax.random.wrap_key_data(k)


SEED = jax.ShapeDtypeStruct((), jnp.int32)

# A key the model closes over (a constant of the traced program, not an input).
_CLOSED_KEY = jax.random.key(7)

CASES = [
    Case("closed_over_key", lambda x: x + jax.random.normal(_CLOSED_KEY, x.shape), [(3, 4)]),
    Exact("random_bits", lambda k: jax.random.bits(_wrap(k), (3, 5)), [_key()], sample=_keys, expect_ops=["BitShift", "BitwiseXor"]),
    Exact("random_bits_odd_size", lambda k: jax.random.bits(_wrap(k), (7,)), [_key()], sample=_keys),
    Exact("random_bits_uint8", lambda k: jax.random.bits(_wrap(k), (4, 3), dtype=jnp.uint8), [_key()], sample=_keys),
    Case("uniform", lambda k: jax.random.uniform(_wrap(k), (4, 6)), [_key()], sample=_keys),
    Case("uniform_range", lambda k: jax.random.uniform(_wrap(k), (4, 6), minval=-2.0, maxval=3.0), [_key()], sample=_keys),
    Case("uniform_legacy_raw_key", lambda k: jax.random.uniform(k, (5,)), [_key()], sample=_keys),
    Exact("bernoulli", lambda k: jax.random.bernoulli(_wrap(k), 0.3, (4, 6)), [_key()], sample=_keys),
    Exact("randint", lambda k: jax.random.randint(_wrap(k), (4, 6), -7, 100), [_key()], sample=_keys),
    Exact("split", lambda k: jax.random.key_data(jax.random.split(_wrap(k), 3)), [_key()], sample=_keys),
    Exact("fold_in", lambda k: jax.random.key_data(jax.random.fold_in(_wrap(k), 1234)), [_key()], sample=_keys),
    Exact("fold_in_data_input", lambda k, d: jax.random.key_data(jax.random.fold_in(_wrap(k), d)), [_key(), jax.ShapeDtypeStruct((), jnp.uint32)], sample=_keys),
    Exact("seed_input", lambda s: jax.random.key_data(jax.random.key(s)), [SEED], sample=_keys),
    Case("seed_split_uniform", lambda s: jax.random.uniform(jax.random.split(jax.random.key(s))[1], (3, 3)), [SEED], sample=_keys),
    Case("uniform_symbolic_shape", lambda k, x: x + jax.random.uniform(_wrap(k), x.shape), [_key(), ("B", 4)], sample=_keys),
    Case("uniform_batched_keys", lambda k: jax.vmap(lambda kk: jax.random.uniform(_wrap(kk), (3,)))(k), [_key("B")], sample=_keys),
    Exact("threefry_2x32_direct", lambda k, c: jax.random.key_data(jax.random.split(_wrap(k), 2)) ^ c, [_key(), jax.ShapeDtypeStruct((2, 2), jnp.uint32)], sample=_keys),
]
