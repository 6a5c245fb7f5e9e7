/**
 * Search by node name, op type, group name and value name. Case-insensitive substring match;
 * exact and prefix matches first, then shorter names. A value hit points at its producer (or,
 * for graph inputs and weights, its first consumer).
 */
import type { ViewNodeRef } from "../view-model/types";
import type { ViewIndex } from "./view-index";

interface Entry {
  readonly key: string; // lower-cased text searched
  readonly ref: ViewNodeRef;
}

export const MAX_SEARCH_RESULTS = 200;

export class SearchIndex {
  private readonly entries: Entry[] = [];

  constructor(index: ViewIndex) {
    const add = (text: string, ref: ViewNodeRef) => {
      if (text) this.entries.push({ key: text.toLowerCase(), ref });
    };
    for (const n of index.graph.nodes) {
      const label = n.name || n.op;
      if (n.kind === "op") {
        add(n.name, { id: n.id, kind: "node", match: "name", label, detail: n.op });
        add(n.op, { id: n.id, kind: "node", match: "op", label: n.op, detail: n.name || n.id });
      } else {
        add(n.name, { id: n.id, kind: "node", match: "name", label: n.name, detail: n.kind === "input" ? "graph input" : "graph output" });
      }
    }
    for (const g of index.graph.groups) {
      add(g.title, { id: g.id, kind: "group", match: "name", label: g.title, detail: `${g.kind}, ${g.nodeCount} nodes` });
      if (g.kind === "function" && g.node) add(g.node.name, { id: g.id, kind: "group", match: "name", label: g.node.name, detail: `call of ${g.label}` });
    }
    // Values: each name once, pointing at whoever makes it (or first uses it).
    const seen = new Set<string>();
    for (const n of index.graph.nodes) {
      for (const v of [...n.outputs, ...n.inputs]) {
        if (!v || seen.has(`${v.name}\u0000${v.producer ?? n.id}`)) continue;
        seen.add(`${v.name}\u0000${v.producer ?? n.id}`);
        const at = v.producer && index.nodes.has(v.producer) ? v.producer : n.id;
        add(v.name, { id: at, kind: "value", match: "value", label: v.name, detail: v.initializer ? "initializer" : `value of ${index.nodes.get(at)?.op ?? at}` });
      }
    }
  }

  search(query: string, limit = MAX_SEARCH_RESULTS): ViewNodeRef[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const hits: { entry: Entry; score: number; order: number }[] = [];
    this.entries.forEach((entry, order) => {
      const at = entry.key.indexOf(q);
      if (at < 0) return;
      const score = entry.key === q ? 0 : at === 0 ? 1 : entry.key[at - 1] === "/" || entry.key[at - 1] === "." ? 2 : 3;
      hits.push({ entry, score, order });
    });
    hits.sort((a, b) => a.score - b.score || a.entry.key.length - b.entry.key.length || a.order - b.order);
    // One row per (id, match kind): an op search lists each node once.
    const out: ViewNodeRef[] = [];
    const listed = new Set<string>();
    for (const h of hits) {
      const key = `${h.entry.ref.id}\u0000${h.entry.ref.match}\u0000${h.entry.ref.label}`;
      if (listed.has(key)) continue;
      listed.add(key);
      out.push(h.entry.ref);
      if (out.length >= limit) break;
    }
    return out;
  }
}
