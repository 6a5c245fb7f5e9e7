"""jax2onnx_lab: JAX, Flax and Equinox to ONNX, converted by a TypeScript converter.

    from jax2onnx_lab import to_onnx
    to_onnx(model, [("B", 30)], return_mode="file", output_path="model.onnx")
"""

__version__ = "0.1.0"

from ._capture import Capture, capture  # noqa: E402
from ._errors import ConversionError, UnsupportedPrimitiveError  # noqa: E402
from ._functions import onnx_function  # noqa: E402
from ._parity import allclose  # noqa: E402
from ._to_onnx import to_onnx  # noqa: E402
from ._widget import GraphWidget  # noqa: E402


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the prebuilt extension (``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "jax2onnx-lab"}]


__all__ = ["to_onnx", "onnx_function", "GraphWidget", "allclose", "capture", "Capture", "ConversionError", "UnsupportedPrimitiveError", "__version__"]
