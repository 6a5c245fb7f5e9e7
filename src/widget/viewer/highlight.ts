/**
 * What a selection lights up: the visible edges into and out of the selected box (for an expanded
 * group: the edges crossing its frame) and the boxes at their other ends.
 */
import type { VisibleGraph } from "./visible-graph";

export interface Highlight {
  /** The selected visible item, or -1 when the selection is hidden (or nothing is selected). */
  readonly selected: number;
  readonly edges: ReadonlySet<number>;
  readonly neighbours: ReadonlySet<number>;
  readonly inputs: ReadonlySet<number>;
  readonly outputs: ReadonlySet<number>;
}

export const NO_HIGHLIGHT: Highlight = { selected: -1, edges: new Set(), neighbours: new Set(), inputs: new Set(), outputs: new Set() };

export function highlightFor(visible: VisibleGraph, id: string | null): Highlight {
  if (id === null) return NO_HIGHLIGHT;
  const selected = visible.shownIndex(id);
  if (selected === undefined) return NO_HIGHLIGHT;
  // Inside = the selected item and, for an expanded group, everything within its frame.
  const inside = (i: number): boolean => {
    for (let p = i; p >= 0; p = visible.items[p].parent) if (p === selected) return true;
    return false;
  };
  const edges = new Set<number>();
  const neighbours = new Set<number>();
  const inputs = new Set<number>();
  const outputs = new Set<number>();
  visible.edges.forEach((e, k) => {
    const s = inside(e.source);
    const t = inside(e.target);
    if (s === t) return;
    edges.add(k);
    if (t) { neighbours.add(e.source); inputs.add(e.source); }
    else { neighbours.add(e.target); outputs.add(e.target); }
  });
  return { selected, edges, neighbours, inputs, outputs };
}
