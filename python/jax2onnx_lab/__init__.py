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


def __getattr__(name: str) -> object:
    # The widget pulls in ipywidgets; scripts that only call to_onnx should not pay for it.
    if name == "GraphWidget":
        from ._widget import GraphWidget

        return GraphWidget
    if name == "show":
        from ._show import show

        return show
    raise AttributeError(f"module 'jax2onnx_lab' has no attribute {name!r}")


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext jax2onnx_lab``: registers the ``%jax2onnx`` / ``%%jax2onnx`` magics."""
    from ._magics import load_ipython_extension as load

    load(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the prebuilt extension (``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "jax2onnx-lab"}]


__all__ = ["to_onnx", "onnx_function", "show", "GraphWidget", "load_ipython_extension", "allclose", "capture", "Capture", "ConversionError", "UnsupportedPrimitiveError", "__version__"]
