"""Accuracy of the lax.special and fft lowerings (plugins/lax/{igamma,regularized_incomplete_beta,
bessel,zeta,special}.ts, plugins/complex/fft.ts), in onnxruntime: for each function and domain,
the worst error of the converted model against JAX and, where scipy or numpy has the function in
float64, of JAX and of the model against that reference (which of the two is off, where they
differ). The plugin cases' tolerances come from these numbers.

    .venv/bin/python bench/special_accuracy.py [--x64] [--n 4000]
"""

from __future__ import annotations

import argparse
import sys

import jax

X64 = "--x64" in sys.argv
jax.config.update("jax_enable_x64", X64)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import scipy.special as sc  # noqa: E402
from jax import lax  # noqa: E402

from jax2onnx_lab import to_onnx  # noqa: E402
from jax2onnx_lab._parity import complex_to_pairs, pairs_to_complex, run_onnxruntime  # noqa: E402

REAL = np.float64 if X64 else np.float32
COMPLEX = np.complex128 if X64 else np.complex64


def run_model(fn, args):
    specs = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in args]
    model = to_onnx(fn, specs, enable_double_precision=X64)
    feeds = {i.name: complex_to_pairs(a) if np.iscomplexobj(a) else a for i, a in zip(model.graph.input, args)}
    (out,) = run_onnxruntime(model.SerializeToString(), feeds)
    return out, len(model.graph.node)


def worst(a, b, scale):
    """Over the points where both are finite (the edges are the plugin cases' business)."""
    finite = np.isfinite(a) & np.isfinite(b)
    return float(np.max(np.abs(a[finite] - b[finite]) / scale[finite])) if finite.any() else 0.0


def row(name, fn, args, reference=None, relative_to_max=False):
    out, nodes = run_model(fn, args)
    jax_out = np.asarray(jax.jit(fn)(*args))
    if np.iscomplexobj(jax_out):
        out = pairs_to_complex(out)
    scale = np.full(jax_out.shape, np.abs(jax_out).max()) if relative_to_max else np.maximum(np.abs(jax_out), 1.0)
    line = f"{name:42s} nodes {nodes:4d}  model-JAX {worst(out, jax_out, scale):.1e}"
    if reference is not None:
        line += f"  JAX-exact {worst(jax_out, reference, scale):.1e}  model-exact {worst(out, reference, scale):.1e}"
    print(line)


def log_uniform(rng, lo, hi, n):
    return (10.0 ** rng.uniform(np.log10(lo), np.log10(hi), n)).astype(REAL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--x64", action="store_true")
    parser.add_argument("--n", type=int, default=4000)
    n = parser.parse_args().n
    rng = np.random.default_rng(0)
    f64 = lambda *xs: [x.astype(np.float64) for x in xs]  # noqa: E731
    print(f"errors are max |difference| / max(|JAX|, 1) ({'float64' if X64 else 'float32'}); fft: / max |output|")

    for lo, hi in [(1e-3, 20), (20, 100), (100, 1000)]:
        a = log_uniform(rng, lo, hi, n)
        x = (a * rng.uniform(0.5, 1.5, n)).astype(REAL) if lo >= 20 else log_uniform(rng, 1e-3, 30, n)
        row(f"igamma a in [{lo}, {hi}]", lax.igamma, [a, x], sc.gammainc(*f64(a, x)))
        row(f"igammac a in [{lo}, {hi}]", lax.igammac, [a, x], sc.gammaincc(*f64(a, x)))
        row(f"igamma_grad_a a in [{lo}, {hi}]", lax.igamma_grad_a, [a, x])
    for lo, hi in [(1e-3, 20), (20, 200)]:
        a, b = log_uniform(rng, lo, hi, n), log_uniform(rng, lo, hi, n)
        x = rng.uniform(0, 1, n).astype(REAL)
        row(f"betainc a, b in [{lo}, {hi}]", lax.betainc, [a, b, x], sc.betainc(*f64(a, b, x)))
    x = (rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-5, 5, n)).astype(REAL)
    row("bessel_i0e", lax.bessel_i0e, [x], sc.i0e(*f64(x)))
    row("bessel_i1e", lax.bessel_i1e, [x], sc.i1e(*f64(x)))
    s, q = (1 + 10.0 ** rng.uniform(-3, 1.5, n)).astype(REAL), log_uniform(rng, 1e-3, 1e3, n)
    row("zeta", lax.zeta, [s, q], sc.zeta(*f64(s, q)))
    m, x = rng.integers(1, 8, n).astype(REAL), log_uniform(rng, 1e-2, 1e3, n)
    row("polygamma m in 1..7", lax.polygamma, [m, x], sc.polygamma(m.astype(int), x.astype(np.float64)))
    u = np.concatenate([rng.uniform(-1, 1, n), 1 - 10.0 ** rng.uniform(-15 if X64 else -7, -1, n // 4)]).astype(REAL)
    row("erf_inv", lax.erf_inv, [u], sc.erfinv(*f64(u)))

    for length in (97, 100, 1000, 1024, 3073, 4096):
        z = (rng.standard_normal((2, length)) + 1j * rng.standard_normal((2, length))).astype(COMPLEX)
        r = rng.standard_normal((2, length)).astype(REAL)
        row(f"fft n = {length}", jnp.fft.fft, [z], np.fft.fft(z.astype(np.complex128)), relative_to_max=True)
        row(f"rfft n = {length}", jnp.fft.rfft, [r], np.fft.rfft(r.astype(np.float64)), relative_to_max=True)
        row(f"irfft n = {2 * length - 2}", lambda z: jnp.fft.irfft(z), [z], np.fft.irfft(z.astype(np.complex128)), relative_to_max=True)


if __name__ == "__main__":
    main()
