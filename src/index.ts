/** The JupyterLab plugin: registers the graph widget's model and view with ipywidgets. */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { IJupyterWidgetRegistry } from "@jupyter-widgets/base";
import { MODULE_NAME, MODULE_VERSION } from "./widget/version";
import { GraphModel, GraphView } from "./widget/graph-widget";

const plugin: JupyterFrontEndPlugin<void> = {
  id: "jax2onnx-lab:graph-widget",
  description: "The jax2onnx-lab graph widget: ONNX models from JAX, converted and checked in the browser.",
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry) => {
    registry.registerWidget({ name: MODULE_NAME, version: MODULE_VERSION, exports: { GraphModel, GraphView } });
  },
};

export default plugin;
