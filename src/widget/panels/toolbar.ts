/** The widget's toolbar: model name and summary, opset and fusion switches, save, download, status. */
import type { ConversionSummary } from "../../core";
import { el } from "./dom";

export const OPSETS = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];

export interface ToolbarHandlers {
  reconvert(options: { opset: number; fusions: boolean }): void;
  save(): void;
  download(): void;
}

export class Toolbar {
  readonly node = el("div", "j2o-toolbar");
  private readonly title = el("span", "j2o-title");
  private readonly summaryText = el("span", "j2o-summary");
  private readonly opset = el("select", "j2o-opset");
  private readonly fusions = el("input", "j2o-fusions");
  private readonly saveButton = el("button", "j2o-save jp-mod-styled", "Save");
  private readonly downloadButton = el("button", "j2o-download jp-mod-styled", "Download");
  private readonly statusText = el("span", "j2o-status");
  private readonly converter = el("span", "j2o-converter");

  constructor(handlers: ToolbarHandlers, options: { converted: boolean; opset?: number; fusions?: boolean }) {
    for (const v of OPSETS) {
      const o = el("option", undefined, `opset ${v}`);
      o.value = String(v);
      this.opset.append(o);
    }
    this.opset.value = String(options.opset ?? 21);
    this.opset.title = "ONNX opset to convert for (re-converts in the browser)";
    this.fusions.type = "checkbox";
    this.fusions.checked = options.fusions ?? true;
    const fusionLabel = el("label", "j2o-fusions-label");
    fusionLabel.title = "Fuse JAX's op patterns into ONNX's fused ops (Gelu, pools, ...)";
    fusionLabel.append(this.fusions, document.createTextNode(" fusions"));
    const changed = (): void => handlers.reconvert({ opset: Number(this.opset.value), fusions: this.fusions.checked });
    this.opset.addEventListener("change", changed);
    this.fusions.addEventListener("change", changed);
    this.saveButton.title = "Write the .onnx file beside the notebook (through the kernel, atomically)";
    this.downloadButton.title = "Download the .onnx file from the browser";
    this.saveButton.addEventListener("click", () => handlers.save());
    this.downloadButton.addEventListener("click", () => handlers.download());
    this.converter.append(this.opset, fusionLabel);
    this.node.append(this.title, this.summaryText, this.converter, this.saveButton, this.downloadButton, this.statusText);
    this.setConverted(options.converted);
  }

  setTitle(text: string): void {
    this.title.textContent = text;
  }

  setSummary(s: ConversionSummary | null): void {
    this.summaryText.textContent = s ? `${s.nodes} nodes · ${s.initializers} initializers · ${formatSize(s.bytes)}` : "";
  }

  /** Conversion controls and save only make sense for a model converted from a capture. */
  setConverted(converted: boolean): void {
    this.converter.hidden = !converted;
    this.saveButton.hidden = !converted;
    this.downloadButton.hidden = !converted;
  }

  setStatus(text: string): void {
    this.statusText.textContent = text;
  }
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}
