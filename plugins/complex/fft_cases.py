"""lax.fft through ONNX DFT (power-of-two lengths) and Bluestein's chirp z-transform (others).

Tolerances: an FFT output sums n inputs, so its error is relative to the largest output, not to
each one. Measured against JAX (pocketfft) for fft/ifft/rfft/irfft at n = 97, 100, 1000, 1024,
3073 and 4096, both paths: worst 1e-6 of the largest output in float32, 2e-15 in float64. Here
rtol 1e-5 and atol 1e-5 for outputs of size ~sqrt(n) ~ 1 .. 10 (3e-5 at n = 97)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jax2onnx_lab import testing

Case = functools.partial(testing.Case, rtol=1e-5, atol=1e-5)


def _c64(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.complex64)


CASES = [
    Case("fft_pow2", jnp.fft.fft, [_c64(3, 16)], expect_ops=["DFT"]),
    Case("fft_bluestein", jnp.fft.fft, [_c64(3, 12)]),
    Case("fft_prime_length", jnp.fft.fft, [_c64(2, 97)], atol=3e-5),
    Case("fft_symbolic_batch", jnp.fft.fft, [_c64("B", 8)]),
    Case("fft_rank1", jnp.fft.fft, [_c64(5)]),
    Case("fft_of_real", jnp.fft.fft, [(4, 6)]),
    Case("fft_padded", lambda z: jnp.fft.fft(z, n=10), [_c64(2, 7)]),
    Case("fft_axis0", lambda z: jnp.fft.fft(z, axis=0), [_c64(6, 3)]),
    Case("ifft", jnp.fft.ifft, [_c64(3, 8)]),
    Case("ifft_bluestein", jnp.fft.ifft, [_c64(3, 9)]),
    Case("rfft", jnp.fft.rfft, [(3, 16)]),
    Case("rfft_odd", jnp.fft.rfft, [("B", 7)]),
    Case("irfft", jnp.fft.irfft, [_c64(3, 9)]),
    Case("irfft_odd_length", lambda z: jnp.fft.irfft(z, n=7), [_c64(3, 4)]),
    Case("irfft_roundtrip", lambda x: jnp.fft.irfft(jnp.fft.rfft(x), n=x.shape[-1]), [(2, 10)]),
    Case("fft2", jnp.fft.fft2, [_c64(2, 4, 6)]),
    Case("fftn", jnp.fft.fftn, [_c64(4, 3, 8)]),
    Case("ifftn", jnp.fft.ifftn, [_c64(4, 5, 2)]),
    Case("rfftn", jnp.fft.rfftn, [(3, 4, 6)]),
    Case("irfftn", lambda z: jnp.fft.irfftn(z, s=(4, 6)), [_c64(2, 4, 4)]),
    Case("rfft2_rank2", jnp.fft.rfft2, [(6, 8)]),
    Case("fftshift_power_spectrum", lambda x: jnp.fft.fftshift(jnp.abs(jnp.fft.fft(x)) ** 2), [(32,)]),
]
