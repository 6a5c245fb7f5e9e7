/** The parity panel: which runtime ran, and per output the errors against JAX and pass/fail. */
import type { ParityState } from "../session";
import { el } from "./dom";

const fmt = (x: number | null | undefined): string => (x === undefined ? "–" : x === null || !Number.isFinite(x) ? "∞" : x === 0 ? "0" : x.toExponential(2));

export class ParityPanel {
  readonly node = el("div", "j2o-parity");

  show(state: ParityState): void {
    this.node.replaceChildren();
    this.node.removeAttribute("data-ok");
    const head = el("div", "j2o-parity-head");
    this.node.append(head);
    if (state.kind === "off") {
      head.textContent = `Parity: ${state.reason}`;
      this.node.dataset.state = "off";
      return;
    }
    if (state.kind === "running") {
      head.textContent = `Parity: ${state.step}…`;
      this.node.dataset.state = "running";
      return;
    }
    const r = state.result;
    this.node.dataset.state = "done";
    this.node.dataset.ok = String(r.ok);
    const verdict = el("span", r.ok ? "j2o-pass" : "j2o-fail", r.ok ? "PASS" : "FAIL");
    head.append(el("span", undefined, `Parity against JAX in ${r.runtime}: `), verdict);
    if (r.milliseconds !== undefined) head.append(el("span", "j2o-parity-time", ` (run ${r.milliseconds.toFixed(1)} ms)`));
    if (r.error) {
      this.node.append(el("pre", "j2o-parity-error", r.error));
      return;
    }
    const table = el("table", "j2o-parity-table");
    const header = el("tr");
    for (const h of ["output", "type", "max abs err", "max rel err", "NaN onnx/jax", "Inf onnx/jax", "tolerance", ""]) header.append(el("th", undefined, h));
    table.append(header);
    for (const o of r.outputs) {
      const row = el("tr", o.ok ? "j2o-pass-row" : "j2o-fail-row");
      row.dataset.output = o.name;
      const cells = [
        o.name,
        `${o.dtype}[${o.shape.join(",")}]`,
        fmt(o.max_abs),
        fmt(o.max_rel),
        o.nan ? `${o.nan.onnx}/${o.nan.jax}` : "–",
        o.inf ? `${o.inf.onnx}/${o.inf.jax}` : "–",
        o.rtol || o.atol ? `rtol ${o.rtol}, atol ${o.atol}` : "exact",
        o.ok ? "pass" : o.reason ?? `${o.mismatches} mismatches`,
      ];
      for (const c of cells) row.append(el("td", undefined, c));
      table.append(row);
    }
    this.node.append(table);
  }
}
