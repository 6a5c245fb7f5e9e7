"""Complex elementwise primitives (docs/complex.md): complex inputs and outputs travel as
[..., 2] real pairs; JAX runs on complex arrays and the harness compares the pairs."""

import jax
import numpy as np
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

# Transcendental functions JAX defines for complex values (src/core/lower/complex-functions.ts);
# each also runs as a complex128 twin. Inputs: standard normal parts, and values on and near the
# branch cuts with signed zeros.
# complex(x, y) keeps a zero's sign (the literal 2 - 0j does not: its imaginary part is 0 - 0 = +0).
_SIGNED_ZEROS = [complex(a, b) for a, b in [(2, 0.0), (2, -0.0), (-2, 0.0), (-2, -0.0), (0.0, 3), (-0.0, 3), (0.0, -3), (-0.0, -3), (0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0), (-0.5, -0.0), (0.5, -0.0), (-0.0, 0.5)]]
_CUT_POINTS = np.array([*_SIGNED_ZEROS, 1 + 0j, -1 + 0j, 0.3 + 1e-3j, -0.7 - 1e-4j, 25 + 1j, -30 - 2j, 1e-6 + 1e-6j, 0.6 + 0.8j], np.complex128)


def _with_cut_points(rng, shape, dtype):
    """Standard normal parts with the branch-cut points above in the first entries."""
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    flat = z.reshape(-1)
    k = min(flat.size, _CUT_POINTS.size)
    flat[:k] = _CUT_POINTS[:k]
    return flat.reshape(shape).astype(dtype)


_with_cut_points.all_dtypes = True  # complex inputs are not floats: the sampler must see them

CASES += [
    Case(name, fn, [_c64(3, 6)], sample=_with_cut_points, rtol=2e-5, atol=2e-5, rtol64=1e-12, atol64=1e-12)
    for name, fn in [
        ("sin", jnp.sin), ("cos", jnp.cos), ("tan", jnp.tan), ("sinh", jnp.sinh), ("cosh", jnp.cosh), ("tanh", jnp.tanh),
        ("asin", jnp.arcsin), ("acos", jnp.arccos), ("atan", jnp.arctan), ("asinh", jnp.arcsinh), ("acosh", jnp.arccosh),
        ("atanh", jnp.arctanh), ("expm1", jnp.expm1), ("log1p", jnp.log1p), ("rsqrt", lax.rsqrt), ("square", jnp.square),
        ("log_signed_zeros", jnp.log),
    ]
]


def _large_real_parts(rng, shape, dtype):
    """Real parts in (-60, 60): where sinh overflows float32 and tanh's far branch takes over."""
    return (rng.uniform(-60, 60, shape) + 1j * rng.standard_normal(shape)).astype(dtype)


_large_real_parts.all_dtypes = True

CASES += [
    Case("tanh_large_real_part", jnp.tanh, [_c64(4, 4)], sample=_large_real_parts),
    Case("trig_symbolic", lambda z: jnp.sin(z) * jnp.arctanh(z), [_c64("B", 3)]),
]
