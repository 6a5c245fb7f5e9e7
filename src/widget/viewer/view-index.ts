/** Lookups over a ViewGraph that the viewer needs again and again: by id, children, ancestors. */
import type { ViewEdge, ViewGraph, ViewGroup, ViewNode } from "../view-model/types";

export type Entity = { readonly kind: "node"; readonly node: ViewNode } | { readonly kind: "group"; readonly group: ViewGroup };

export class ViewIndex {
  readonly nodes = new Map<string, ViewNode>();
  readonly groups = new Map<string, ViewGroup>();
  /** Direct children (groups and nodes, in file order) of each group; `null` is the top level. */
  readonly children = new Map<string | null, string[]>();
  /** Every leaf-to-leaf edge touching a node, for highlight and the inspector. */
  readonly edgesOf = new Map<string, ViewEdge[]>();
  /** Op leaves of the whole graph. */
  readonly opCount: number;

  constructor(readonly graph: ViewGraph) {
    const childList = (id: string | null): string[] => {
      let list = this.children.get(id);
      if (!list) {
        list = [];
        this.children.set(id, list);
      }
      return list;
    };
    childList(null);
    for (const g of graph.groups) {
      this.groups.set(g.id, g);
      childList(g.id);
    }
    const known = (p: string | null): string | null => (p !== null && this.groups.has(p) ? p : null);
    // Children in file order: a group sits where its first node appeared.
    const firstSeen = new Map<string, number>();
    let ops = 0;
    graph.nodes.forEach((n, i) => {
      this.nodes.set(n.id, n);
      if (n.kind === "op") ops++;
      firstSeen.set(n.id, i);
      for (let p = known(n.parent), guard = 0; p !== null && !firstSeen.has(p) && guard < 10_000; p = known(this.groups.get(p)!.parent), guard++) firstSeen.set(p, i);
    });
    this.opCount = ops;
    for (const g of graph.groups) childList(known(g.parent)).push(g.id);
    for (const n of graph.nodes) childList(known(n.parent)).push(n.id);
    for (const list of this.children.values()) list.sort((a, b) => (firstSeen.get(a) ?? Infinity) - (firstSeen.get(b) ?? Infinity));
    for (const e of graph.edges) {
      for (const end of [e.source, e.target]) {
        const list = this.edgesOf.get(end);
        if (list) list.push(e);
        else this.edgesOf.set(end, [e]);
      }
    }
  }

  entity(id: string): Entity | undefined {
    const node = this.nodes.get(id);
    if (node) return { kind: "node", node };
    const group = this.groups.get(id);
    return group ? { kind: "group", group } : undefined;
  }

  parentOf(id: string): string | null {
    const p = this.nodes.get(id)?.parent ?? this.groups.get(id)?.parent ?? null;
    return p !== null && this.groups.has(p) ? p : null;
  }

  /** Enclosing groups, innermost first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (let p = this.parentOf(id); p !== null && !seen.has(p); p = this.parentOf(p)) {
      seen.add(p);
      out.push(p);
    }
    return out;
  }

  isGroup(id: string): boolean {
    return this.groups.has(id);
  }
}
