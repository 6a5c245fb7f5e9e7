"""Complex elementwise primitives (docs/complex.md): complex inputs and outputs travel as
[..., 2] real pairs; JAX runs on complex arrays and the harness compares the pairs."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def _c64(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.complex64)


CASES = [
    Case("complex_from_parts", lax.complex, [("B", 3), ("B", 3)]),
    Case("complex_with_scalar_imag", lambda x: lax.complex(x, 2.0), [(2, 3)]),
    Case("real_imag", lambda z: (jnp.real(z), jnp.imag(z)), [_c64("B", 4)]),
    Case("conj", jnp.conj, [_c64(3, 4)]),
    Case("conj_of_real", lax.conj, [(3, 4)]),
    Case("abs", jnp.abs, [_c64("B", 5)]),
    Case("add_sub_neg", lambda a, b: (a + b, a - b, -a), [_c64(2, 3), _c64(2, 3)]),
    Case("add_complex_literal", lambda z: z + (1 - 2j), [_c64(2, 3)]),
    Case("mul", lambda a, b: a * b, [_c64("B", 3), _c64("B", 3)]),
    Case("mul_complex_literal", lambda z: z * (1 + 2j), [_c64(4)]),
    Case("mul_real_promoted", lambda z, x: z * x, [_c64(2, 3), (2, 3)]),
    Case("div", lambda a, b: a / b, [_c64(3, 3), _c64(3, 3)]),
    Case("div_by_real_scalar", lambda z: z / 3.0, [_c64(3)]),
    Case("neg_rank0", lambda z: -z, [_c64()]),
    Case("exp", jnp.exp, [_c64(2, 5)]),
    Case("log", jnp.log, [_c64(2, 5)]),
    Case("sqrt", jnp.sqrt, [_c64(3, 5)]),
    Case("sqrt_of_negative_reals", lambda x: jnp.sqrt(x.astype(jnp.complex64) - 2.0), [(6,)]),
    Case("pow", lambda a, b: a**b, [_c64(4), _c64(4)]),
    Case("pow_complex_literal", lambda z: z ** (0.5 + 1j), [_c64(4)]),
    Case("integer_pow", lambda z: (z**3, z**-2, z**0), [_c64(2, 3)]),
    Case("sign", jnp.sign, [_c64(3, 3)]),
    Case("sign_of_zero", lambda z: jnp.sign(z * 0), [_c64(3)]),
    Case("eq_ne", lambda a, b: (a == b, a != b, a == a), [_c64(2, 3), _c64(2, 3)]),
    Case("convert_real_to_complex", lambda x: x.astype(jnp.complex64) * (2 + 1j), [("B", 3)]),
    Case("convert_int_to_complex", lambda n: n.astype(jnp.complex64), [jax.ShapeDtypeStruct((4,), jnp.int32)]),
    Case("convert_complex_to_real", lambda z: lax.convert_element_type(z, jnp.float32), [_c64(4)]),
    Case("complex_constant", lambda x: x * jnp.array([1 + 1j, 2 - 1j, -3j], jnp.complex64), [_c64(2, 3)]),
    Case("size_zero", lambda a, b: a * b, [_c64(0, 3), _c64(0, 3)]),
]
