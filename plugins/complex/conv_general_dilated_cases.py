"""Complex conv_general_dilated: four real convolutions of the parts, each through the real rule."""

import jax
import jax.numpy as jnp
from jax import lax

from jax2onnx_lab.testing import Case


def _c64(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.complex64)


def _conv(dn, strides=(1, 1), padding="VALID", **kw):
    return lambda x, w: lax.conv_general_dilated(x, w, window_strides=strides, padding=padding, dimension_numbers=dn, **kw)


CASES = [
    Case("conv_nhwc", _conv(("NHWC", "HWIO", "NHWC"), padding="SAME"), [_c64("B", 5, 5, 2), _c64(3, 3, 2, 3)], expect_ops=["Conv"]),
    Case("conv_nchw_strided", _conv(("NCHW", "OIHW", "NCHW"), strides=(2, 2)), [_c64(1, 2, 6, 6), _c64(4, 2, 2, 2)]),
    Case("conv_grouped", _conv(("NHWC", "HWIO", "NHWC"), feature_group_count=2), [_c64(1, 4, 4, 4), _c64(2, 2, 2, 6)]),
    Case("conv_1d_real_kernel", lambda x, w: _conv(("NWC", "WIO", "NWC"), strides=(1,))(x, w.astype(x.dtype)), [_c64(2, 7, 2), (3, 2, 2)]),
]
