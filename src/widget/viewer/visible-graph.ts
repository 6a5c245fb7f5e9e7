/**
 * What is on screen for one expansion state: the visible items (nodes, collapsed groups as single
 * boxes, expanded groups as frames), parents before children, and the edges between visible boxes
 * (each ViewEdge moved to the visible box that shows each end, merged when they coincide).
 * This is the layout's input; traversal is iterative.
 */
import type { LayoutRequest } from "../layout/types";
import type { ViewEdge } from "../view-model/types";
import { collapsedSize, headerSize, nodeSize, type Measure } from "./box-labels";
import type { ExpansionState } from "./expansion";
import type { ViewIndex } from "./view-index";

export interface VisibleItem {
  readonly id: string;
  readonly kind: "node" | "collapsed" | "expanded";
  /** Index of the expanded group holding it, or -1. */
  readonly parent: number;
}

export interface VisibleEdge {
  readonly source: number;
  readonly target: number;
  /** The dataflow edges it stands for (one or more). */
  readonly edges: readonly ViewEdge[];
}

export class VisibleGraph {
  readonly items: VisibleItem[] = [];
  readonly indexOf = new Map<string, number>();
  readonly edges: VisibleEdge[] = [];
  /** The visible item that shows each node or group (itself, or the collapsed group around it). */
  private readonly shownBy = new Map<string, number>();

  constructor(readonly index: ViewIndex, readonly expansion: ExpansionState) {
    const stack: { id: string; parent: number }[] = [];
    const pushChildren = (of: string | null, parent: number) => {
      const kids = index.children.get(of) ?? [];
      for (let k = kids.length - 1; k >= 0; k--) stack.push({ id: kids[k], parent });
    };
    pushChildren(null, -1);
    while (stack.length) {
      const { id, parent } = stack.pop()!;
      const isGroup = index.isGroup(id);
      const kind = !isGroup ? "node" : expansion.isExpanded(id) ? "expanded" : "collapsed";
      const at = this.items.length;
      this.items.push({ id, kind, parent });
      this.indexOf.set(id, at);
      this.shownBy.set(id, at);
      if (kind === "expanded") pushChildren(id, at);
      else if (kind === "collapsed") this.hideUnder(id, at);
    }
    const merged = new Map<number, { source: number; target: number; edges: ViewEdge[] }>();
    const n = this.items.length;
    for (const e of index.graph.edges) {
      const s = this.shownBy.get(e.source);
      const t = this.shownBy.get(e.target);
      if (s === undefined || t === undefined || s === t) continue;
      const key = s * n + t;
      const m = merged.get(key);
      if (m) m.edges.push(e);
      else merged.set(key, { source: s, target: t, edges: [e] });
    }
    for (const m of merged.values()) this.edges.push(m); // no spread: 100k arguments overflow the stack
  }

  private hideUnder(group: string, at: number): void {
    const stack = [...(this.index.children.get(group) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      this.shownBy.set(id, at);
      const kids = this.index.children.get(id);
      if (kids) for (const k of kids) stack.push(k);
    }
  }

  /** The index of the visible item showing `id` (a node or group, visible or inside a collapsed group). */
  shownIndex(id: string): number | undefined {
    return this.shownBy.get(id);
  }

  layoutRequest(measure: Measure): LayoutRequest {
    const n = this.items.length;
    const parent = new Int32Array(n);
    const container = new Uint8Array(n);
    const width = new Float64Array(n);
    const height = new Float64Array(n);
    this.items.forEach((item, i) => {
      parent[i] = item.parent;
      const size =
        item.kind === "node"
          ? nodeSize(this.index.nodes.get(item.id)!, measure)
          : item.kind === "collapsed"
            ? collapsedSize(this.index.groups.get(item.id)!, measure)
            : headerSize(this.index.groups.get(item.id)!, measure);
      container[i] = item.kind === "expanded" ? 1 : 0;
      width[i] = size.width;
      height[i] = size.height;
    });
    const edges = new Int32Array(this.edges.length * 2);
    this.edges.forEach((e, k) => {
      edges[2 * k] = e.source;
      edges[2 * k + 1] = e.target;
    });
    return { parent, container, width, height, edges };
  }
}
