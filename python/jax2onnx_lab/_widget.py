"""GraphWidget: the notebook's view of an ONNX model (skeleton)."""

from __future__ import annotations

import ipywidgets as widgets
import traitlets

from . import __version__

MODULE_NAME = "jax2onnx-lab"


class GraphWidget(widgets.DOMWidget):
    _model_name = traitlets.Unicode("GraphModel").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = traitlets.Unicode(__version__).tag(sync=True)
    _view_name = traitlets.Unicode("GraphView").tag(sync=True)
    _view_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = traitlets.Unicode(__version__).tag(sync=True)
