/** The ipywidgets model and view of the graph widget (skeleton). */
import { DOMWidgetModel, DOMWidgetView, type ISerializers } from "@jupyter-widgets/base";
import { MODULE_NAME, MODULE_VERSION } from "./version";

export class GraphModel extends DOMWidgetModel {
  static override serializers: ISerializers = { ...DOMWidgetModel.serializers };
  override defaults() {
    return {
      ...super.defaults(),
      _model_name: "GraphModel",
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: "GraphView",
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
    };
  }
}

export class GraphView extends DOMWidgetView {
  override render(): void {
    this.el.classList.add("j2o-graph");
    this.el.textContent = "jax2onnx-lab graph widget";
  }
}
