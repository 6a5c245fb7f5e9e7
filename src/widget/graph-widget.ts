/**
 * The ipywidgets model and view of the graph widget: thin glue between the widget model, the
 * session (session.ts: conversion, parity, save), the graph viewer and the panels.
 */
import { DOMWidgetModel, DOMWidgetView, type ISerializers } from "@jupyter-widgets/base";
import type { JSONObject } from "@lumino/coreutils";
import { sharedEngine } from "./engine/engine-client";
import { el } from "./panels/dom";
import { ParityPanel } from "./panels/parity-panel";
import { Toolbar } from "./panels/toolbar";
import { WidgetSession, type Display, type ModelPort, type WidgetConfig } from "./session";
import { MODULE_NAME, MODULE_VERSION } from "./version";
import { GraphViewer, viewGraphFromOnnx } from "./viewer";

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
      capture: null,
      onnx: null,
      config: {},
      tensor_stats: {},
      parity_case: {},
      parity_data: null,
      error: "",
      parity: {},
      conversion: {},
      saved: {},
    };
  }
}

const createEngineWorker = (): Worker => new Worker(new URL("./engine/engine-worker.js", import.meta.url));
const createLayoutWorker = (): Worker => new Worker(new URL("./layout/layout-worker.js", import.meta.url));

let views = 0;

export class GraphView extends DOMWidgetView {
  private session: WidgetSession | null = null;
  private viewer: GraphViewer | null = null;

  override render(): void {
    const config = (this.model.get("config") ?? {}) as WidgetConfig;
    const converted = config.source !== "file" && !!this.model.get("capture");
    this.el.classList.add("j2o-widget");
    const toolbar = new Toolbar(
      {
        reconvert: (o) => void this.session?.convert({ ...this.session.config, ...o }),
        save: () => this.session?.save(),
        download: () => void this.download(toolbar),
      },
      { converted, ...(config.opset !== undefined ? { opset: config.opset } : {}), ...(config.fusions !== undefined ? { fusions: config.fusions } : {}) },
    );
    toolbar.setTitle(config.modelName ?? config.fileName ?? "ONNX model");
    const errorPanel = el("pre", "j2o-error");
    errorPanel.hidden = true;
    const graphHost = el("div", "j2o-graph-host");
    const parityPanel = new ParityPanel();
    if (config.source === "file") parityPanel.node.hidden = true;
    this.el.append(toolbar.node, errorPanel, graphHost, parityPanel.node);
    this.viewer = new GraphViewer(graphHost, { createLayoutWorker });

    const display: Display = {
      graph: async (bytes, tensorStats) => {
        try {
          // The kernel computes the statistics of the weights it keeps (GraphWidget.tensor_stats).
          await this.viewer?.show(viewGraphFromOnnx(bytes, { tensorStats }));
        } catch (e) {
          display.error(`Cannot show this model: ${(e as Error).message}`);
        }
      },
      error: (text) => {
        errorPanel.hidden = !text;
        errorPanel.textContent = text ?? "";
      },
      summary: (s) => toolbar.setSummary(s),
      parity: (state) => parityPanel.show(state),
      status: (text) => toolbar.setStatus(text),
    };
    const port: ModelPort = {
      get: (name) => this.model.get(name),
      set: (values) => {
        this.model.set(values);
        this.model.save_changes();
      },
      send: (content, buffers) => this.model.send(content as JSONObject, {}, buffers as ArrayBuffer[]),
    };
    const session = new WidgetSession(port, sharedEngine(createEngineWorker), display, `${this.model.model_id}#${++views}`);
    this.session = session;
    this.listenTo(this.model, "msg:custom", (content: Record<string, unknown>, buffers: DataView[]) => session.onMessage(content, buffers ?? []));
    this.listenTo(this.model, "change:saved", () => {
      const saved = this.model.get("saved") as { path?: string; bytes?: number; error?: string };
      toolbar.setStatus(saved.error ? `save failed: ${saved.error}` : `saved ${saved.path} (${saved.bytes} bytes)`);
    });
    session.start().catch((e: unknown) => display.error(`The widget failed: ${(e as Error).message ?? String(e)}`));
  }

  private async download(toolbar: Toolbar): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      const bytes = await session.modelBytes();
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "application/octet-stream" }));
      const a = el("a");
      a.href = url;
      a.download = session.config.fileName ?? "model.onnx";
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      toolbar.setStatus(`downloaded ${a.download}`);
    } catch (e) {
      toolbar.setStatus(`download failed: ${(e as Error).message}`);
    }
  }

  override remove(): void {
    this.viewer?.dispose();
    void this.session?.dispose();
    super.remove();
  }
}
