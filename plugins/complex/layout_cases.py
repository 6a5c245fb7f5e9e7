"""Complex layout, selection and call primitives (docs/complex.md): on the pairs directly or per
part through the real rule."""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jax2onnx_lab.testing import Case


def _c64(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.complex64)


CASES = [
    Case("transpose", lambda z: z.T, [_c64(2, 3)]),
    Case("transpose_3d_symbolic", lambda z: jnp.transpose(z, (2, 0, 1)), [_c64("B", 3, 4)]),
    Case("reshape", lambda z: z.reshape(6, -1), [_c64(2, 3, 4)]),
    Case("reshape_symbolic", lambda z: z.reshape(-1), [_c64("B", 3)]),
    Case("broadcast_in_dim", lambda z: jnp.broadcast_to(z, (4, 2, 3)), [_c64(2, 3)]),
    Case("expand_dims", lambda z: z[:, None, :], [_c64("B", 3)]),
    Case("squeeze", lambda z: jnp.squeeze(z, 1), [_c64(3, 1, 2)]),
    Case("concatenate", lambda a, b: jnp.concatenate([a, b, a], axis=1), [_c64("B", 2), _c64("B", 3)]),
    Case("slice", lambda z: lax.slice(z, (1, 0), (3, 4), (1, 2)), [_c64(4, 5)]),
    Case("reduce_sum", lambda z: (jnp.sum(z, axis=0), jnp.sum(z)), [_c64("B", 3)]),
    Case("select_n", lambda p, a, b: jnp.where(p, a, b), [jax.ShapeDtypeStruct((2, 3), jnp.bool_), _c64(2, 3), _c64(2, 3)]),
    Case("jit_body", lambda z: jax.jit(lambda w: w * w + 1j)(z), [_c64(3)]),
    Case("stop_gradient", lambda z: lax.stop_gradient(z) * 2, [_c64(3)]),
    Case("complex_weight", lambda x: (x @ jnp.asarray(np.arange(12).reshape(3, 4) * (1 - 0.5j), jnp.complex64)).real, [("B", 3)]),
]
