/**
 * Which groups are expanded. A graph with at most `collapseAbove` nodes opens fully; a bigger one
 * opens level by level from the top as far as the number of boxes on screen stays within the
 * limit (Model Explorer's approach: show the structure first, lay out only what is open).
 */
import type { ViewIndex } from "./view-index";

export const DEFAULT_COLLAPSE_ABOVE = 200;

export class ExpansionState {
  private readonly expanded = new Set<string>();

  constructor(private readonly index: ViewIndex) {}

  static initial(index: ViewIndex, collapseAbove = DEFAULT_COLLAPSE_ABOVE): ExpansionState {
    const state = new ExpansionState(index);
    if (index.graph.nodes.length <= collapseAbove) {
      for (const id of index.groups.keys()) state.expanded.add(id);
      return state;
    }
    // Open whole levels, top-down, while the boxes on screen stay within the limit: each
    // expansion replaces one box by its children. A level that does not fit stays closed
    // entirely, so siblings look alike (not the first ten blocks open and the rest shut).
    let visible = index.children.get(null)?.length ?? 0;
    let level = (index.children.get(null) ?? []).filter((id) => index.isGroup(id));
    while (level.length) {
      const added = level.reduce((sum, id) => sum + (index.children.get(id)?.length ?? 0) - 1, 0);
      if (visible + added > collapseAbove) break;
      visible += added;
      for (const id of level) state.expanded.add(id);
      level = level.flatMap((id) => (index.children.get(id) ?? []).filter((k) => index.isGroup(k)));
    }
    return state;
  }

  isExpanded(id: string): boolean {
    return this.expanded.has(id);
  }

  /** Returns whether anything changed. */
  expand(id: string): boolean {
    if (!this.index.isGroup(id) || this.expanded.has(id)) return false;
    this.expanded.add(id);
    return true;
  }

  collapse(id: string): boolean {
    return this.expanded.delete(id);
  }

  toggle(id: string): boolean {
    return this.isExpanded(id) ? this.collapse(id) : this.expand(id);
  }

  /** Opens every group around `id` so it is on screen; returns whether anything changed. */
  reveal(id: string): boolean {
    let changed = false;
    for (const g of this.index.ancestors(id)) changed = this.expand(g) || changed;
    return changed;
  }

  expandedIds(): string[] {
    return [...this.expanded];
  }
}
