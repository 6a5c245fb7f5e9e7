/** The widget's ipywidgets module name and version; the Python GraphWidget names the same. */
export const MODULE_NAME = "jax2onnx-lab";
export const MODULE_VERSION = "0.1.0";
