/**
 * GraphViewer: the graph widget's view, d3 on SVG. It takes the whole host element: a search box,
 * the canvas and an inspector side panel. The ipywidget view (and the bench page) call exactly this:
 *
 *   const viewer = new GraphViewer(host, { createLayoutWorker, collapseAbove });
 *   await viewer.show(viewGraphFromOnnx(bytes));   // lays out and renders; resolves after the first frame
 *   viewer.search("MatMul");                       // -> ViewNodeRef[] (node / group / value hits)
 *   viewer.select(id | null);                      // highlight + inspector; onSelect(id) tells the host
 *   await viewer.expand(groupId) / collapse(groupId) / toggle(groupId);
 *   viewer.fit();  viewer.dispose();
 *
 * Stable DOM hooks (the UI tests use them): `.j2o-viewer` (root), `.j2o-node` (`data-id`,
 * `data-op`), `.j2o-group` (`data-id`, `data-collapsed="true"|"false"`), `.j2o-edge`,
 * `.j2o-search input`, `.j2o-inspector`, `.j2o-selected`, `.j2o-highlight`.
 *
 * Every string from the model is set with textContent / d3 `.text()` / setAttribute, never as
 * HTML. Layout runs in the worker the host creates (`createLayoutWorker`), else on this thread.
 * At scale: only boxes in (and near) the viewport are in the DOM; when more than DETAIL_LIMIT
 * would be, the whole graph is drawn as a few aggregated paths instead (no labels at that zoom).
 */
import { select, zoom, zoomIdentity, type D3ZoomEvent, type Selection, type ZoomBehavior, type ZoomTransform } from "d3";
import { LayoutClient, type LayoutWorkerLike } from "../layout/layout-client";
import type { LayoutResult } from "../layout/types";
import type { ViewGraph, ViewNodeRef } from "../view-model/types";
import { COLLAPSED_HEIGHT, HEADER_HEIGHT, estimateTextWidth, groupText, nodeText, type Measure } from "./box-labels";
import { edgePath, routeBounds } from "./edge-path";
import { ExpansionState, DEFAULT_COLLAPSE_ABOVE } from "./expansion";
import { highlightFor, NO_HIGHLIGHT, type Highlight } from "./highlight";
import { inspectorContent } from "./inspector-model";
import { opCategory } from "./op-category";
import { SearchIndex } from "./search";
import { SpatialIndex } from "./spatial-index";
import { ViewIndex } from "./view-index";
import { VisibleGraph } from "./visible-graph";

export interface GraphViewerOptions {
  /** Creates the layout worker (in the extension: `new Worker(new URL("./layout/layout-worker.js", import.meta.url))`). */
  createLayoutWorker?: () => Worker;
  /** Graphs with more nodes than this start with their groups collapsed (default 200). */
  collapseAbove?: number;
}

/** What the last show/expand/collapse cost, for the bench and the status line. */
export interface ViewerTimings {
  layoutMs: number;
  renderMs: number;
  boxes: number;
  edges: number;
  mode: "detail" | "overview";
  inWorker: boolean;
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** More boxes than this in view: draw aggregated paths instead of one element per box. */
export const DETAIL_LIMIT = 1500;
/** Below this zoom, labels would be under ~4 px: hide them. */
const LABEL_SCALE = 0.35;
/** The least zoom at which the first view shows a graph (below it, labels are hard to read). */
const READABLE_SCALE = 0.6;
/** Room above the graph for the search box, so the first node is not under it. */
const TOP_MARGIN = 52;
const MIN_SCALE = 0.005;
const MAX_SCALE = 4;
const MAX_LISTED_RESULTS = 50;
/** Inspector keys longer than this take a row of their own. */
const LONG_KEY = 18;

type Box = { id: string; index: number; kind: "node" | "collapsed" | "expanded"; x: number; y: number; w: number; h: number };

function workerPort(w: Worker): LayoutWorkerLike {
  const port: LayoutWorkerLike = {
    postMessage: (message, transfer) => w.postMessage(message, transfer),
    onmessage: null,
    onerror: null,
    terminate: () => w.terminate(),
  };
  w.onmessage = (event) => port.onmessage?.(event);
  w.onerror = (event) => port.onerror?.(event);
  return port;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, parent?: HTMLElement): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  parent?.appendChild(el);
  return el;
}

export class GraphViewer {
  onSelect?: (id: string | null) => void;
  /** Timings of the last layout and render. */
  readonly timings: ViewerTimings = { layoutMs: 0, renderMs: 0, boxes: 0, edges: 0, mode: "detail", inWorker: false };

  private readonly root: HTMLDivElement;
  private readonly canvas: HTMLDivElement;
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly scene: Selection<SVGGElement, unknown, null, undefined>;
  private readonly framesLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly edgesLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly headersLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly boxesLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly overviewLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly highlightLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly inspector: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly results: HTMLOListElement;
  private readonly status: HTMLDivElement;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private readonly client: LayoutClient;
  private readonly collapseAbove: number;
  private readonly resizeObserver: ResizeObserver | null;
  private transform: ZoomTransform = zoomIdentity;

  private index: ViewIndex | null = null;
  private searchIndex: SearchIndex | null = null;
  private expansion: ExpansionState | null = null;
  private visible: VisibleGraph | null = null;
  private layout: LayoutResult | null = null;
  private boxes: Box[] = [];
  private boxIndex: SpatialIndex | null = null;
  private edgeIndex: SpatialIndex | null = null;
  private selected: string | null = null;
  private highlight: Highlight = NO_HIGHLIGHT;
  private generation = 0;
  private frame = 0;
  /** What the DOM shows now, to skip redundant renders on pan. */
  private rendered: { mode: "detail" | "overview"; labels: boolean; x0: number; y0: number; x1: number; y1: number; generation: number } | null = null;
  private measureCache = new Map<string, number>();
  private measureContext: CanvasRenderingContext2D | null = null;
  private disposed = false;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: HTMLElement, options: GraphViewerOptions = {}) {
    this.collapseAbove = options.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE;
    const make = options.createLayoutWorker;
    this.client = new LayoutClient(make ? () => workerPort(make()) : undefined);

    this.root = element("div", "j2o-viewer");
    const main = element("div", "j2o-main", this.root);
    const search = element("div", "j2o-search", main);
    this.searchInput = element("input", "j2o-search-input", search);
    this.searchInput.type = "search";
    this.searchInput.placeholder = "Search nodes, ops, values";
    this.searchInput.setAttribute("aria-label", "Search nodes, ops and values");
    this.results = element("ol", "j2o-search-results", search);
    this.canvas = element("div", "j2o-canvas", main);
    const controls = element("div", "j2o-controls", main);
    const fitButton = element("button", "j2o-fit", controls);
    fitButton.type = "button";
    fitButton.textContent = "Fit";
    fitButton.title = "Fit the graph to the view";
    fitButton.addEventListener("click", () => this.fit());
    this.status = element("div", "j2o-viewer-status", main);
    this.inspector = element("aside", "j2o-inspector", this.root);
    this.inspector.setAttribute("aria-label", "Inspector");

    const svgEl = document.createElementNS(SVG_NS, "svg");
    svgEl.classList.add("j2o-svg");
    this.canvas.appendChild(svgEl);
    this.svg = select(svgEl);
    const defs = this.svg.append("defs");
    for (const [id, cls] of [["j2o-arrow", "j2o-arrowhead"], ["j2o-arrow-hi", "j2o-arrowhead j2o-arrowhead-hi"]] as const) {
      defs.append("marker").attr("id", id).attr("viewBox", "0 0 10 10").attr("refX", 9).attr("refY", 5)
        .attr("markerUnits", "userSpaceOnUse").attr("markerWidth", 8).attr("markerHeight", 8).attr("orient", "auto-start-reverse")
        .append("path").attr("d", "M0,0L10,5L0,10z").attr("class", cls);
    }
    this.scene = this.svg.append("g").attr("class", "j2o-scene");
    this.framesLayer = this.scene.append("g").attr("class", "j2o-frames");
    this.overviewLayer = this.scene.append("g").attr("class", "j2o-overview");
    this.edgesLayer = this.scene.append("g").attr("class", "j2o-edges");
    // Group headers above the edges: an edge into a group passes under its header, not through its label.
    this.headersLayer = this.scene.append("g").attr("class", "j2o-headers");
    this.boxesLayer = this.scene.append("g").attr("class", "j2o-boxes");
    this.highlightLayer = this.scene.append("g").attr("class", "j2o-highlights");

    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([MIN_SCALE, MAX_SCALE])
      .on("zoom", (event: D3ZoomEvent<SVGSVGElement, unknown>) => {
        this.transform = event.transform;
        this.scene.attr("transform", event.transform.toString());
        this.scheduleRender();
      });
    this.svg.call(this.zoomer).on("dblclick.zoom", null);
    this.svg.on("click", (event: MouseEvent) => this.onCanvasClick(event));

    this.searchInput.addEventListener("input", () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.listResults(this.searchInput.value), 120);
    });
    // Back in the box after choosing a hit: the list returns for the query still there.
    this.searchInput.addEventListener("focus", () => this.listResults(this.searchInput.value));
    this.searchInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        const first = this.search(this.searchInput.value)[0];
        if (first) this.choose(first.id);
      } else if (event.key === "Escape") {
        this.searchInput.value = "";
        this.listResults("");
      }
    });
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && event.target !== this.searchInput) this.select(null);
    });

    host.appendChild(this.root);
    this.resizeObserver = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => this.scheduleRender());
    this.resizeObserver?.observe(this.canvas);
    this.renderInspector();
  }

  /** Lays out and renders `graph`; resolves once the first frame is on screen. */
  async show(graph: ViewGraph): Promise<void> {
    this.index = new ViewIndex(graph);
    this.searchIndex = new SearchIndex(this.index);
    this.expansion = ExpansionState.initial(this.index, this.collapseAbove);
    this.selected = null;
    this.highlight = NO_HIGHLIGHT;
    this.listResults("");
    await this.relayout();
    if (this.disposed) return;
    this.initialView();
    this.renderNow();
    this.renderInspector();
    await nextFrame();
  }

  search(query: string): ViewNodeRef[] {
    return this.searchIndex?.search(query) ?? [];
  }

  select(id: string | null): void {
    if (id !== null && !this.index?.entity(id)) id = null;
    this.selected = id;
    this.highlight = this.visible ? highlightFor(this.visible, id) : NO_HIGHLIGHT;
    this.rendered = null;
    this.renderNow();
    this.renderInspector();
    this.onSelect?.(id);
  }

  /** Opens the groups around `id`, centres it and selects it (what choosing a search result does). */
  async reveal(id: string): Promise<void> {
    if (!this.index || !this.expansion) return;
    if (this.expansion.reveal(id)) await this.relayout();
    this.centerOn(id);
    this.select(id);
  }

  expand(groupId: string): Promise<void> {
    return this.changeExpansion(groupId, (e) => e.expand(groupId));
  }

  collapse(groupId: string): Promise<void> {
    return this.changeExpansion(groupId, (e) => e.collapse(groupId));
  }

  toggle(groupId: string): Promise<void> {
    return this.changeExpansion(groupId, (e) => e.toggle(groupId));
  }

  fit(): void {
    if (!this.layout) return;
    const { width, height } = this.viewportSize();
    const w = Math.max(1, this.layout.totalWidth);
    const h = Math.max(1, this.layout.totalHeight);
    const margin = 24;
    const scale = Math.max(MIN_SCALE, Math.min(1.25, (width - 2 * margin) / w, (height - TOP_MARGIN - margin) / h));
    const t = zoomIdentity.translate((width - w * scale) / 2, Math.max(TOP_MARGIN, (height - h * scale) / 2)).scale(scale);
    this.svg.call(this.zoomer.transform, t);
  }

  /**
   * Fit when that leaves the graph readable; a tall graph (a deep network) would shrink to a
   * line, so then start at reading size at the top, where the inputs are (Netron does the same).
   */
  private initialView(): void {
    if (!this.layout) return;
    const { width, height } = this.viewportSize();
    const margin = 24;
    const w = Math.max(1, this.layout.totalWidth);
    const h = Math.max(1, this.layout.totalHeight);
    const fitScale = Math.min(1.25, (width - 2 * margin) / w, (height - TOP_MARGIN - margin) / h);
    if (fitScale >= READABLE_SCALE) {
      this.fit();
      return;
    }
    const scale = Math.max(READABLE_SCALE, Math.min(1, (width - 2 * margin) / w));
    const x = w * scale <= width - 2 * margin ? (width - w * scale) / 2 : margin;
    this.svg.call(this.zoomer.transform, zoomIdentity.translate(x, TOP_MARGIN).scale(scale));
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.frame);
    clearTimeout(this.searchTimer);
    this.resizeObserver?.disconnect();
    this.client.dispose();
    this.svg.on(".zoom", null).on("click", null);
    this.root.remove();
  }

  // ---- layout ----

  private measure: Measure = (text, bold = false) => {
    const key = `${bold ? "b" : "n"}${text}`;
    const cached = this.measureCache.get(key);
    if (cached !== undefined) return cached;
    if (!this.measureContext) {
      const canvas = document.createElement("canvas");
      this.measureContext = canvas.getContext("2d");
    }
    let width: number;
    if (this.measureContext) {
      const family = getComputedStyle(this.root).fontFamily || "sans-serif";
      this.measureContext.font = `${bold ? "600 " : ""}11px ${family}`;
      width = this.measureContext.measureText(text).width;
    } else {
      width = estimateTextWidth(text, bold);
    }
    this.measureCache.set(key, width);
    return width;
  };

  private async relayout(): Promise<void> {
    if (!this.index || !this.expansion) return;
    const generation = ++this.generation;
    const visible = new VisibleGraph(this.index, this.expansion);
    const request = visible.layoutRequest(this.measure);
    const start = performance.now();
    const layout = await this.client.layout(request);
    if (generation !== this.generation || this.disposed) return; // a newer layout is on its way
    this.timings.layoutMs = performance.now() - start;
    this.timings.inWorker = this.client.usesWorker;
    this.visible = visible;
    this.layout = layout;
    this.boxes = visible.items.map((item, i) => ({ id: item.id, index: i, kind: item.kind, x: layout.x[i], y: layout.y[i], w: layout.width[i], h: layout.height[i] }));
    this.boxIndex = new SpatialIndex(layout.x, layout.y, layout.width, layout.height);
    const ex0 = new Float64Array(visible.edges.length);
    const ey0 = new Float64Array(visible.edges.length);
    const ew = new Float64Array(visible.edges.length);
    const eh = new Float64Array(visible.edges.length);
    for (let e = 0; e < visible.edges.length; e++) {
      const [x0, y0, x1, y1] = routeBounds(layout.routes, layout.routeOffsets[e], layout.routeOffsets[e + 1]);
      ex0[e] = x0; ey0[e] = y0; ew[e] = x1 - x0; eh[e] = y1 - y0;
    }
    this.edgeIndex = new SpatialIndex(ex0, ey0, ew, eh);
    this.highlight = highlightFor(visible, this.selected);
    this.rendered = null;
    this.timings.boxes = visible.items.length;
    this.timings.edges = visible.edges.length;
  }

  private async changeExpansion(groupId: string, change: (e: ExpansionState) => boolean): Promise<void> {
    if (!this.expansion || !this.index?.isGroup(groupId)) return;
    // Keep the group where it is on screen while everything around it moves.
    const before = this.boxOf(groupId);
    if (!change(this.expansion)) return;
    await this.relayout();
    const after = this.boxOf(groupId);
    if (before && after) {
      const t = this.transform;
      const shifted = t.translate(before.x - after.x, before.y - after.y);
      this.svg.call(this.zoomer.transform, shifted);
    }
    this.renderNow();
    await nextFrame();
  }

  private boxOf(id: string): Box | undefined {
    const i = this.visible?.indexOf.get(id);
    return i === undefined ? undefined : this.boxes[i];
  }

  private centerOn(id: string): void {
    const i = this.visible?.shownIndex(id);
    if (i === undefined) return;
    const b = this.boxes[i];
    const { width, height } = this.viewportSize();
    const k = Math.max(this.transform.k, 0.8);
    const t = zoomIdentity.translate(width / 2 - (b.x + b.w / 2) * k, height / 2 - (b.y + b.h / 2) * k).scale(k);
    this.svg.call(this.zoomer.transform, t);
  }

  private viewportSize(): { width: number; height: number } {
    const r = this.canvas.getBoundingClientRect();
    return { width: Math.max(1, r.width || 800), height: Math.max(1, r.height || 500) };
  }

  // ---- rendering ----

  private scheduleRender(): void {
    if (this.frame || this.disposed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  private renderNow(): void {
    if (!this.layout || !this.visible || !this.boxIndex || !this.edgeIndex || this.disposed) return;
    const start = performance.now();
    const { width, height } = this.viewportSize();
    const t = this.transform;
    const vx0 = -t.x / t.k;
    const vy0 = -t.y / t.k;
    const vx1 = vx0 + width / t.k;
    const vy1 = vy0 + height / t.k;
    const inView = this.boxIndex.search(vx0, vy0, vx1, vy1);
    const mode = inView.length > DETAIL_LIMIT ? "overview" : "detail";
    const labels = t.k >= LABEL_SCALE;
    const r = this.rendered;
    // Pan within the margin already drawn, same mode and labels: nothing to do.
    if (r && r.generation === this.generation && r.mode === mode && r.labels === labels && (mode === "overview" || (vx0 >= r.x0 && vy0 >= r.y0 && vx1 <= r.x1 && vy1 <= r.y1))) return;
    this.root.classList.toggle("j2o-no-labels", !labels);
    this.root.dataset.mode = mode;
    if (mode === "detail") {
      // Draw half a viewport beyond each side, so small pans need no work.
      const mx = (vx1 - vx0) / 2;
      const my = (vy1 - vy0) / 2;
      const x0 = vx0 - mx, y0 = vy0 - my, x1 = vx1 + mx, y1 = vy1 + my;
      this.overviewLayer.selectAll("*").remove();
      this.renderDetail(this.boxIndex.search(x0, y0, x1, y1), this.edgeIndex.search(x0, y0, x1, y1));
      this.rendered = { mode, labels, x0, y0, x1, y1, generation: this.generation };
    } else {
      this.renderOverview();
      this.rendered = { mode, labels, x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity, generation: this.generation };
    }
    this.timings.renderMs = performance.now() - start;
    this.timings.mode = mode;
    this.renderStatus();
  }

  private renderDetail(boxIds: number[], edgeIds: number[]): void {
    const visible = this.visible!;
    const layout = this.layout!;
    const index = this.index!;
    const hl = this.highlight;
    const frames = boxIds.filter((i) => this.boxes[i].kind === "expanded").map((i) => this.boxes[i]);
    const boxes = boxIds.filter((i) => this.boxes[i].kind !== "expanded").map((i) => this.boxes[i]);

    // Expanded groups: a frame (below the edges) and a header band (above them) that collapses the group.
    this.framesLayer
      .selectAll<SVGRectElement, Box>("rect.j2o-frame")
      .data(frames, (b) => b.id)
      .join("rect")
      .attr("class", (b) => `j2o-frame j2o-frame-${index.groups.get(b.id)!.kind}`)
      .attr("x", (b) => b.x)
      .attr("y", (b) => b.y)
      .attr("width", (b) => b.w)
      .attr("height", (b) => b.h)
      .attr("rx", 6);
    this.headersLayer
      .selectAll<SVGGElement, Box>("g.j2o-group")
      .data(frames, (b) => b.id)
      .join((enter) => {
        const g = enter.append("g");
        g.append("rect").attr("class", "j2o-header");
        const label = g.append("text").attr("class", "j2o-header-label");
        label.append("tspan").attr("class", "j2o-header-title");
        label.append("tspan").attr("class", "j2o-header-count");
        g.append("title");
        return g;
      })
      .attr("class", (b) => `j2o-group j2o-group-${index.groups.get(b.id)!.kind}${b.index === hl.selected ? " j2o-selected" : ""}`)
      .attr("data-id", (b) => b.id)
      .attr("data-collapsed", "false")
      .attr("transform", (b) => `translate(${b.x},${b.y})`)
      .each(function (b) {
        const g = select(this);
        const group = index.groups.get(b.id)!;
        const text = groupText(group);
        g.select("rect.j2o-header").attr("width", b.w).attr("height", HEADER_HEIGHT).attr("rx", 6);
        const label = g.select("text.j2o-header-label").attr("x", 8).attr("y", HEADER_HEIGHT / 2 + 4);
        label.select("tspan.j2o-header-title").text(`▾ ${text.title}`);
        label.select("tspan.j2o-header-count").text(`  ${text.subtitle ?? ""}`);
        g.select("title").text(`${group.title} (${text.subtitle ?? ""}): click to collapse`);
      });

    // Edges.
    // Bind each edge with its key: paths drawn for an earlier layout keep their old datum, and an
    // edge index of that layout may not exist in this one.
    const edgeData = edgeIds.map((e) => ({ e, key: `${visible.items[visible.edges[e].source].id}\u0000${visible.items[visible.edges[e].target].id}` }));
    this.edgesLayer
      .selectAll<SVGPathElement, { e: number; key: string }>("path.j2o-edge")
      .data(edgeData, (d) => d.key)
      .join("path")
      .attr("class", ({ e }) => `j2o-edge${layout.reversed[e] ? " j2o-edge-back" : ""}${hl.edges.has(e) ? " j2o-highlight" : ""}`)
      .attr("d", ({ e }) => edgePath(layout.routes, layout.routeOffsets[e], layout.routeOffsets[e + 1]))
      .attr("marker-end", ({ e }) => (hl.edges.has(e) ? "url(#j2o-arrow-hi)" : "url(#j2o-arrow)"));
    // Highlighted edges on top of the others.
    this.edgesLayer.selectAll<SVGPathElement, unknown>("path.j2o-highlight").raise();

    // Nodes and collapsed groups.
    this.boxesLayer
      .selectAll<SVGGElement, Box>("g.j2o-box")
      .data(boxes, (b) => b.id)
      .join((enter) => {
        const g = enter.append("g");
        g.append("rect").attr("class", "j2o-body");
        g.append("text").attr("class", "j2o-label");
        g.append("text").attr("class", "j2o-sublabel");
        g.append("title");
        return g;
      })
      .each(function (b) {
        const g = select(this);
        g.attr("transform", `translate(${b.x},${b.y})`);
        if (b.kind === "node") {
          const node = index.nodes.get(b.id)!;
          g.attr("class", `j2o-box j2o-node j2o-op-${opCategory(node.kind === "op" ? node.op : "Input")}${b.index === hl.selected ? " j2o-selected" : ""}${hl.neighbours.has(b.index) ? " j2o-highlight" : ""}`)
            .attr("data-id", b.id)
            .attr("data-op", node.op)
            .attr("data-collapsed", null);
          g.select("rect.j2o-body").attr("width", b.w).attr("height", b.h).attr("rx", node.kind === "op" ? 4 : b.h / 2);
          g.select("text.j2o-label").attr("x", b.w / 2).attr("y", b.h / 2 + 4).text(nodeText(node).title);
          g.select("text.j2o-sublabel").text("");
          g.select("title").text(node.kind === "op" ? `${node.op}${node.name ? `: ${node.name}` : ""}` : `${node.kind} ${node.name}`);
        } else {
          const group = index.groups.get(b.id)!;
          const text = groupText(group);
          g.attr("class", `j2o-box j2o-group j2o-group-${group.kind}${b.index === hl.selected ? " j2o-selected" : ""}${hl.neighbours.has(b.index) ? " j2o-highlight" : ""}`)
            .attr("data-id", b.id)
            .attr("data-op", group.node?.op ?? null)
            .attr("data-collapsed", "true");
          g.select("rect.j2o-body").attr("width", b.w).attr("height", b.h).attr("rx", 6);
          g.select("text.j2o-label").attr("x", b.w / 2).attr("y", COLLAPSED_HEIGHT / 2 - 2).text(`▸ ${text.title}`);
          g.select("text.j2o-sublabel").attr("x", b.w / 2).attr("y", COLLAPSED_HEIGHT / 2 + 12).text(text.subtitle ?? "");
          g.select("title").text(`${group.title} (${text.subtitle ?? ""}): click to expand`);
        }
      });
    this.highlightLayer.selectAll("*").remove();
  }

  /** The whole graph as a handful of paths: one per kind of box, one for edges, one for highlights. */
  private renderOverview(): void {
    const layout = this.layout!;
    const visible = this.visible!;
    const index = this.index!;
    const hl = this.highlight;
    this.framesLayer.selectAll("*").remove();
    this.headersLayer.selectAll("*").remove();
    this.edgesLayer.selectAll("*").remove();
    this.boxesLayer.selectAll("*").remove();
    this.highlightLayer.selectAll("*").remove();
    const rect = (b: Box) => `M${b.x.toFixed(1)},${b.y.toFixed(1)}h${b.w.toFixed(1)}v${b.h.toFixed(1)}h${(-b.w).toFixed(1)}z`;
    const byClass = new Map<string, string[]>();
    const add = (cls: string, d: string) => {
      const list = byClass.get(cls);
      if (list) list.push(d);
      else byClass.set(cls, [d]);
    };
    for (const b of this.boxes) {
      if (b.kind === "expanded") {
        add("j2o-overview-frame", rect(b));
        add("j2o-overview-header", rect({ ...b, h: Math.min(b.h, HEADER_HEIGHT) }));
      } else if (b.kind === "collapsed") {
        add("j2o-overview-group", rect(b));
      } else {
        const node = index.nodes.get(b.id)!;
        add(`j2o-overview-node j2o-op-${opCategory(node.kind === "op" ? node.op : "Input")}`, rect(b));
      }
    }
    const edges: string[] = [];
    for (let e = 0; e < visible.edges.length; e++) edges.push(edgePath(layout.routes, layout.routeOffsets[e], layout.routeOffsets[e + 1]));
    const layer = this.overviewLayer;
    layer.selectAll("*").remove();
    for (const cls of ["j2o-overview-frame", "j2o-overview-header"]) {
      const d = byClass.get(cls);
      if (d) layer.append("path").attr("class", cls).attr("d", d.join(""));
    }
    layer.append("path").attr("class", "j2o-overview-edges").attr("d", edges.join(""));
    for (const [cls, d] of byClass) {
      if (cls === "j2o-overview-frame" || cls === "j2o-overview-header") continue;
      layer.append("path").attr("class", cls).attr("d", d.join(""));
    }
    if (hl.selected >= 0) {
      const hiEdges = [...hl.edges].map((e) => edgePath(layout.routes, layout.routeOffsets[e], layout.routeOffsets[e + 1]));
      this.highlightLayer.append("path").attr("class", "j2o-edge j2o-highlight").attr("d", hiEdges.join(""));
      const neighbours = [...hl.neighbours].map((i) => rect(this.boxes[i]));
      this.highlightLayer.append("path").attr("class", "j2o-overview-neighbour j2o-highlight").attr("d", neighbours.join(""));
      this.highlightLayer.append("path").attr("class", "j2o-overview-selected j2o-selected").attr("d", rect(this.boxes[hl.selected]));
    }
  }

  private renderStatus(): void {
    if (!this.index || !this.visible) return;
    const parts = [
      `${this.index.opCount.toLocaleString("en-US")} nodes`,
      `${this.visible.items.length.toLocaleString("en-US")} boxes shown`,
      `layout ${Math.round(this.timings.layoutMs)} ms${this.timings.inWorker ? " (worker)" : ""}`,
    ];
    if (this.timings.mode === "overview") parts.push("zoom in for labels");
    this.status.textContent = parts.join(" · ");
  }

  // ---- interaction ----

  private onCanvasClick(event: MouseEvent): void {
    if (!this.index || !this.boxIndex) return;
    const target = event.target instanceof Element ? event.target.closest<SVGGElement>("[data-id]") : null;
    let id: string | null = null;
    let onHeader = false;
    if (target) {
      id = target.getAttribute("data-id");
      onHeader = target.classList.contains("j2o-group") && (target.getAttribute("data-collapsed") === "true" || (event.target as Element).classList.contains("j2o-header") || (event.target as Element).classList.contains("j2o-header-label"));
    } else {
      // Overview (or a frame's body): find what is under the pointer.
      const [px, py] = this.transform.invert(this.pointer(event));
      const hits = this.boxIndex.at(px, py);
      const hit = hits.length ? this.boxes[hits[0]] : undefined;
      if (hit) {
        id = hit.id;
        onHeader = hit.kind === "collapsed" || (hit.kind === "expanded" && py - hit.y <= HEADER_HEIGHT);
        if (hit.kind === "expanded" && !onHeader) id = null; // the inside of a frame is background
      }
    }
    if (id !== null && onHeader && this.index.isGroup(id)) {
      this.select(id);
      void this.toggle(id);
      return;
    }
    this.select(id);
  }

  private pointer(event: MouseEvent): [number, number] {
    const r = (this.svg.node() as SVGSVGElement).getBoundingClientRect();
    return [event.clientX - r.left, event.clientY - r.top];
  }

  /** A search hit chosen: the list closes (it would cover the graph) and the hit is revealed. */
  private choose(id: string): void {
    clearTimeout(this.searchTimer);
    this.results.hidden = true;
    void this.reveal(id);
  }

  private listResults(query: string): void {
    const hits = this.search(query);
    this.results.replaceChildren();
    this.results.hidden = !query.trim();
    if (!query.trim()) return;
    if (!hits.length) {
      const li = element("li", "j2o-search-empty", this.results);
      li.textContent = "No match";
      return;
    }
    for (const hit of hits.slice(0, MAX_LISTED_RESULTS)) {
      const li = element("li", "j2o-search-result", this.results);
      const button = element("button", "j2o-search-hit", li);
      button.type = "button";
      button.dataset.id = hit.id;
      const label = element("span", "j2o-search-label", button);
      label.textContent = hit.label;
      const detail = element("span", "j2o-search-detail", button);
      detail.textContent = `${hit.match === "value" ? "value · " : hit.kind === "group" ? "group · " : ""}${hit.detail}`;
      button.addEventListener("click", () => this.choose(hit.id));
    }
    if (hits.length > MAX_LISTED_RESULTS) {
      const li = element("li", "j2o-search-more", this.results);
      li.textContent = `${hits.length - MAX_LISTED_RESULTS}${hits.length >= 200 ? "+" : ""} more: refine the search`;
    }
  }

  private renderInspector(): void {
    const panel = this.inspector;
    panel.replaceChildren();
    if (!this.index) {
      const p = element("p", "j2o-inspector-empty", panel);
      p.textContent = "No model yet.";
      return;
    }
    const content = inspectorContent(this.index, this.selected);
    const head = element("header", "j2o-inspector-head", panel);
    const title = element("h2", "j2o-inspector-title", head);
    title.textContent = content.title;
    if (content.subtitle) {
      const sub = element("div", "j2o-inspector-subtitle", head);
      sub.textContent = content.subtitle;
    }
    for (const section of content.sections) {
      const s = element("section", "j2o-inspector-section", panel);
      const h = element("h3", "", s);
      h.textContent = section.title;
      const table = element("table", "", s);
      for (const row of section.rows) {
        let tr = element("tr", "", table);
        const th = element("th", "", tr);
        th.textContent = row.key;
        // A long key (a value or metadata name) gets the full width, its value the row below.
        const stacked = row.key.length > LONG_KEY;
        if (stacked) {
          th.colSpan = 2;
          th.classList.add("j2o-long-key");
          tr = element("tr", "", table);
        }
        const td = element("td", row.code ? "j2o-code" : "", tr);
        if (stacked) {
          td.colSpan = 2;
          td.classList.add("j2o-stacked");
        }
        if (row.target) {
          const link = element("button", "j2o-link", td);
          link.type = "button";
          link.textContent = row.value;
          const target = row.target;
          link.addEventListener("click", () => void this.reveal(target));
        } else {
          td.textContent = row.value;
        }
      }
    }
  }
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
