"""Complex reduce_prod and cumprod (plugins/complex/products.ts), against JAX; complex128 twins."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def _c64(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.complex64)


CASES = [
    Case("complex_prod_axis", lambda z: jnp.prod(z, axis=1), [_c64("B", 5)], rtol64=1e-12, atol64=1e-12),
    Case("complex_prod_all", jnp.prod, [_c64(3, 4)]),
    Case("complex_prod_two_axes", lambda z: jnp.prod(z, axis=(0, 2)), [_c64(3, 2, 7)]),
    Case("complex_prod_one_element", lambda z: jnp.prod(z, axis=0), [_c64(1, 3)]),
    Case("complex_prod_empty", lambda z: jnp.prod(z, axis=1), [_c64(2, 0)]),
    Case("complex_cumprod", lambda z: jnp.cumprod(z, axis=1), [_c64("B", 6)]),
    Case("complex_cumprod_reverse", lambda z: lax.cumprod(z, axis=0, reverse=True), [_c64(5, 3)]),
    Case("complex_cumprod_length_one", lambda z: jnp.cumprod(z, axis=0), [_c64(1, 3)]),
]
