"""The examples catalog: small, real models from every framework we convert, as importable
modules. Each module defines ``EXAMPLE`` (an ``Example``); ``CATALOG`` lists them in order.
``python -m examples.catalog`` converts every one and writes docs/examples.md; the tests
(python/tests/test_examples.py) convert and check each against JAX and fail when the page is stale.
"""

from examples._example import Example
from examples import (
    seed_mlp,
    mlp_functions,
    mnist_cnn,
    resnet,
    vit_tiny,
    gpt,
    unet,
    cnn_linen,
    cnn_equinox,
    nnx_scan,
)

CATALOG: list[Example] = [m.EXAMPLE for m in (seed_mlp, mlp_functions, mnist_cnn, resnet, vit_tiny, gpt, unet, cnn_linen, cnn_equinox, nnx_scan)]

__all__ = ["CATALOG", "Example"]
