/**
 * The widget bench page: the GraphViewer outside JupyterLab, with the layout worker as a second
 * bundle. bench.mjs drives it with playwright-core through `window.j2oBench`.
 */
import { GraphViewer, viewGraphFromOnnx } from "../../src/widget/viewer";
import { syntheticModel } from "./synthetic-models";

export interface BenchRun {
  readonly nodes: number;
  readonly boxes: number;
  readonly edges: number;
  readonly parseMs: number;
  readonly layoutMs: number;
  readonly firstRenderMs: number;
  readonly zoomFrameMs: number;
  readonly panFrameMs: number;
  readonly fitMs: number;
  readonly fitMode: string;
  readonly overviewZoomMs: number;
  readonly expandMs: number | null;
  readonly expandBoxes: number | null;
  readonly mode: string;
  readonly inWorker: boolean;
}

let viewer: GraphViewer | null = null;
const host = document.getElementById("host")!;

function fresh(collapseAbove?: number): GraphViewer {
  viewer?.dispose();
  viewer = new GraphViewer(host, {
    createLayoutWorker: () => new Worker("./layout-worker.js"),
    ...(collapseAbove !== undefined ? { collapseAbove } : {}),
  });
  return viewer;
}

const frames = (n = 2): Promise<void> =>
  new Promise((resolve) => {
    const step = (k: number) => (k === 0 ? resolve() : requestAnimationFrame(() => step(k - 1)));
    step(n);
  });

async function timeFrame(action: () => void): Promise<number> {
  await frames(1);
  const start = performance.now();
  action();
  await frames(2); // the viewer renders in the next frame; the second one is painted after it
  return performance.now() - start;
}

function svgCenter(): { x: number; y: number; el: Element } {
  const el = host.querySelector(".j2o-svg")!;
  const r = el.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2, el };
}

async function run(nodes: number, nested: boolean, collapseAbove?: number): Promise<BenchRun> {
  const bytes = syntheticModel({ nodes, nested });
  const v = fresh(collapseAbove);
  const t0 = performance.now();
  const graph = viewGraphFromOnnx(bytes);
  const parseMs = performance.now() - t0;
  const t1 = performance.now();
  await v.show(graph);
  const firstRenderMs = performance.now() - t1;
  const { layoutMs, boxes, edges, inWorker } = v.timings;
  const c = svgCenter();
  const zoomFrameMs = await timeFrame(() => c.el.dispatchEvent(new WheelEvent("wheel", { clientX: c.x, clientY: c.y, deltaY: -240, bubbles: true, cancelable: true })));
  const panFrameMs = await timeFrame(() => {
    c.el.dispatchEvent(new MouseEvent("mousedown", { clientX: c.x, clientY: c.y, button: 0, bubbles: true, view: window }));
    window.dispatchEvent(new MouseEvent("mousemove", { clientX: c.x + 120, clientY: c.y + 80, bubbles: true, view: window }));
    window.dispatchEvent(new MouseEvent("mouseup", { clientX: c.x + 120, clientY: c.y + 80, bubbles: true, view: window }));
  });
  const mode = v.timings.mode;
  // The whole graph in view (fit): at 10k boxes that is the aggregated overview.
  const fitMs = await timeFrame(() => v.fit());
  const fitMode = v.timings.mode;
  const overviewZoomMs = await timeFrame(() => c.el.dispatchEvent(new WheelEvent("wheel", { clientX: c.x, clientY: c.y, deltaY: -60, bubbles: true, cancelable: true })));
  let expandMs: number | null = null;
  let expandBoxes: number | null = null;
  const collapsed = host.querySelector(".j2o-group[data-collapsed='true']") ?? null;
  const groupId = collapseAbove === Infinity ? null : (collapsed?.getAttribute("data-id") ?? firstCollapsedGroup(graph, v));
  if (groupId) {
    const t2 = performance.now();
    await v.expand(groupId);
    expandMs = performance.now() - t2;
    expandBoxes = v.timings.boxes;
  }
  return { nodes: graph.nodes.filter((n) => n.kind === "op").length, boxes, edges, parseMs, layoutMs, firstRenderMs, zoomFrameMs, panFrameMs, fitMs, fitMode, overviewZoomMs, expandMs, expandBoxes, mode, inWorker };
}

/** In overview mode there are no group elements: find a collapsed group from the model. */
function firstCollapsedGroup(graph: ReturnType<typeof viewGraphFromOnnx>, v: GraphViewer): string | null {
  void v;
  const top = graph.groups.find((g) => g.parent === null);
  return top ? top.id : null;
}

async function showBytes(base64: string, collapseAbove?: number): Promise<void> {
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  await fresh(collapseAbove).show(viewGraphFromOnnx(bytes));
}

async function showSynthetic(nodes: number, nested: boolean, collapseAbove?: number): Promise<void> {
  await fresh(collapseAbove).show(viewGraphFromOnnx(syntheticModel({ nodes, nested })));
}

function setTheme(dark: boolean): void {
  const vars: Record<string, string> = dark
    ? {
        "--jp-layout-color0": "#111111", "--jp-layout-color1": "#212121", "--jp-layout-color2": "#424242",
        "--jp-ui-font-color0": "rgba(255,255,255,1)", "--jp-ui-font-color1": "rgba(255,255,255,0.87)", "--jp-ui-font-color2": "rgba(255,255,255,0.54)",
        "--jp-border-color1": "#616161", "--jp-border-color2": "#424242", "--jp-brand-color0": "#90caf9", "--jp-brand-color1": "#64b5f6",
        "--jp-warn-color1": "#ffb74d", "--jp-error-color1": "#e57373", "--jp-success-color1": "#81c784", "--jp-accent-color1": "#4db6ac",
      }
    : {};
  const root = document.documentElement;
  for (const name of ["--jp-layout-color0", "--jp-layout-color1", "--jp-layout-color2", "--jp-ui-font-color0", "--jp-ui-font-color1", "--jp-ui-font-color2", "--jp-border-color1", "--jp-border-color2", "--jp-brand-color0", "--jp-brand-color1", "--jp-warn-color1", "--jp-error-color1", "--jp-success-color1", "--jp-accent-color1"]) {
    root.style.removeProperty(name);
  }
  for (const [k, val] of Object.entries(vars)) root.style.setProperty(k, val);
  document.body.style.background = dark ? "#111111" : "#ffffff";
}

declare global {
  interface Window {
    j2oBench: {
      run: typeof run;
      showBytes: typeof showBytes;
      showSynthetic: typeof showSynthetic;
      setTheme: typeof setTheme;
      viewer: () => GraphViewer | null;
    };
  }
}

window.j2oBench = { run, showBytes, showSynthetic, setTheme, viewer: () => viewer };
