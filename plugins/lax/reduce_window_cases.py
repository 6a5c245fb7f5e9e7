"""Cases for plugins/lax/reduce_window.ts: Flax and Equinox pools, lax.reduce_window with
add / max / min in any layout, base and window dilation, and dtypes without pool kernels."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax import lax

from jax2onnx_lab.testing import Case


def _window(init, op, window, strides=None, padding="VALID", **kw):
    return lambda x: lax.reduce_window(x, init, op, window, strides or (1,) * len(window), padding, **kw)


CASES = [
    Case("avg_pool", lambda x: nnx.avg_pool(x, (2, 2), strides=(2, 2)), [("B", 6, 6, 3)], expect_ops=["AveragePool"]),
    Case("avg_pool_same_count_pad", lambda x: nnx.avg_pool(x, (3, 3), padding="SAME"), [("B", 6, 6, 3)]),
    # count_include_pad=False divides by a second reduce_window over ones (no batch/channel dims).
    Case("avg_pool_same_exclude_pad", lambda x: nnx.avg_pool(x, (3, 3), padding="SAME", count_include_pad=False), [("B", 6, 6, 3)]),
    Case("max_pool", lambda x: nnx.max_pool(x, (2, 2), strides=(2, 2)), [("B", 6, 6, 3)], expect_ops=["MaxPool"]),
    Case("max_pool_same_strided", lambda x: nnx.max_pool(x, (3, 3), strides=(2, 2), padding="SAME"), [("B", 7, 6, 3)]),
    Case("max_pool_1d", lambda x: nnx.max_pool(x, (3,), strides=(2,)), [("B", 9, 4)]),
    Case("sum_window_explicit_padding", _window(0.0, lax.add, (1, 3, 3, 1), padding=((0, 0), (1, 2), (2, 0), (0, 0))), [("B", 5, 5, 2)]),
    Case("sum_window_padding_wider_than_window", _window(0.0, lax.add, (1, 2, 3, 1), padding=((0, 0), (1, 2), (3, 0), (0, 0))), [("B", 5, 5, 2)], expect_ops=["Pad"]),
    Case("max_window_explicit_padding", _window(-jnp.inf, lax.max, (1, 3, 3, 1), (1, 2, 1, 1), ((0, 0), (2, 1), (1, 1), (0, 0))), [("B", 6, 5, 2)]),
    # Padding as wide as the window: windows wholly in the padding give the init value (+-inf).
    # Kept 2-D: onnxruntime's 1-D and 3-D MaxPool kernels start from -FLT_MAX, not -inf, so an
    # all -inf window gives -3.4e38 there (its 2-D MLAS kernel returns -inf).
    Case("max_window_padding_wider_than_window", _window(-jnp.inf, lax.max, (1, 2, 2, 1), padding=((0, 0), (2, 0), (0, 3), (0, 0))), [("B", 4, 4, 2)], expect_ops=["Pad"]),
    Case("min_window_padding_wider_than_window", _window(jnp.inf, lax.min, (1, 2, 2, 1), padding=((0, 0), (1, 2), (2, 0), (0, 0))), [("B", 5, 4, 2)]),
    Case("min_window", _window(jnp.inf, lax.min, (1, 2, 2, 1)), [("B", 6, 6, 3)], expect_ops=["MaxPool", "Neg"]),
    Case("min_window_padding", _window(jnp.inf, lax.min, (1, 3, 2, 1), padding="SAME"), [("B", 5, 6, 3)]),
    Case("max_window_nchw", _window(-jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2)), [("B", 3, 6, 6)]),
    # Only the batch dim is trivial: a unit channel is added and the pool is 3-D.
    Case("max_window_over_channels", _window(-jnp.inf, lax.max, (1, 2, 2, 2)), [("B", 4, 4, 4)]),
    # Only one non-window dim: (L, C) with a window over L -> a unit batch.
    Case("sum_window_no_batch", _window(0.0, lax.add, (3, 1)), [(8, "B")]),
    Case("max_window_dilation", _window(-jnp.inf, lax.max, (1, 2, 2, 1), window_dilation=(1, 2, 2, 1)), [("B", 6, 6, 3)]),
    Case("sum_window_dilation", _window(0.0, lax.add, (1, 2, 2, 1), window_dilation=(1, 2, 1, 1)), [("B", 6, 6, 3)]),
    # No non-window dim (a plain 1-D moving sum) and three (Equinox pools vmapped twice).
    Case("sum_window_1d", _window(0.0, lax.add, (3,)), [(8,)], expect_ops=["AveragePool"]),
    Case("max_window_1d_symbolic", _window(-jnp.inf, lax.max, (2,), (2,)), [("B",)], dims=({"B": 4}, {"B": 7})),
    Case("max_pool_eqx_vmap", jax.vmap(eqx.nn.MaxPool2d(2, 2)), [("B", 3, 6, 6)]),
    # Equinox's pool on one CHW image: its own transpose to HWC and back around an NHWC window
    # (the fusions fold those and the pool's NCHW Transposes away: python/tests/test_fusions.py).
    Case("avg_pool_eqx_chw", eqx.nn.AvgPool2d(2, 2), [(3, 6, 6)], expect_ops=["AveragePool"]),
    # Trailing window dims after several non-window ones: reshaped into N, no Transpose.
    Case("sum_window_leading_dims", _window(0.0, lax.add, (1, 1, 1, 2, 2), (1, 1, 1, 2, 2)), [(2, "B", 3, 4, 4)], expect_ops=["AveragePool", "Reshape"]),
    Case("max_pool_eqx_vmap_vmap", jax.vmap(jax.vmap(eqx.nn.MaxPool2d(2, 2))), [(2, "B", 3, 6, 6)], expect_ops=["MaxPool", "Reshape"]),
    Case("avg_pool_eqx_vmap_vmap", jax.vmap(jax.vmap(eqx.nn.AvgPool1d(3, 1))), [(2, 3, 2, 7)]),
    # base_dilation: the operand is dilated with the identity (0 for sums, -inf for max) first.
    Case("sum_window_base_dilation", _window(0.0, lax.add, (1, 2, 2, 1), base_dilation=(1, 2, 2, 1)), [("B", 4, 4, 2)]),
    Case("max_window_base_dilation_padding", _window(-jnp.inf, lax.max, (1, 3, 1), padding=((0, 0), (1, 1), (0, 0)), base_dilation=(1, 2, 1)), [(2, 5, 3)]),
    # No pool kernel in onnxruntime for these dtypes: strided Slices combined with Add / Max / Min.
    Case("sum_window_int32", _window(0, lax.add, (1, 3), (1, 2), padding=((0, 0), (1, 1))), [jax.ShapeDtypeStruct((3, 8), jnp.int32)], expect_ops=["Slice", "Add"]),
    Case("max_window_int32_dilated", _window(jnp.iinfo(jnp.int32).min, lax.max, (2, 2), (1, 2), window_dilation=(2, 1)), [jax.ShapeDtypeStruct(("B", 7), jnp.int32)], dims=({"B": 3}, {"B": 5})),
    Case("min_window_uint8", _window(np.uint8(255), lax.min, (3,), (2,), padding=((2, 1),)), [jax.ShapeDtypeStruct((7,), jnp.uint8)]),
    Case("max_window_int8", _window(np.int8(-128), lax.max, (1, 2, 2), (1, 2, 2)), [jax.ShapeDtypeStruct((2, 4, 4), jnp.int8)], expect_ops=["MaxPool"]),
    Case("max_window_bool", _window(False, lax.max, (2, 2)), [jax.ShapeDtypeStruct((3, 4), jnp.bool_)]),
    Case("min_window_int16_base_dilation", _window(np.int16(32767), lax.min, (2,), base_dilation=(2,)), [jax.ShapeDtypeStruct((5,), jnp.int16)]),
    # The generic reduce_window: a reducer jaxpr of one binary op; init joins every window.
    Case("reduce_window_mul", _window(1.0, lax.mul, (2, 2), (1, 2)), [("B", 6)], expect_ops=["Mul"]),
    Case("reduce_window_mul_padded", _window(1.0, lax.mul, (3,), padding=((1, 1),)), [(5,)]),
    Case("reduce_window_or_bool", _window(False, lax.bitwise_or, (2,), (2,)), [jax.ShapeDtypeStruct((6,), jnp.bool_)]),
    Case("reduce_window_and_int32", _window(np.int32(-1), lax.bitwise_and, (1, 3)), [jax.ShapeDtypeStruct((2, 5), jnp.int32)]),
    # A non-identity init joins every window once; padding and dilation holes are skipped (XLA).
    Case("reduce_window_add_nonidentity_init", lambda x: lax.reduce_window(x, 2.0, lambda a, b: a + b, (2,), (1,), ((1, 0),)), [(4,)]),
    Case("reduce_window_max_init_base_dilation", _window(0.5, lax.max, (3,), base_dilation=(2,)), [(4,)]),
]
