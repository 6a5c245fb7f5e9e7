/**
 * What each visible box says and how big it is: the single place the renderer and the layout
 * agree on sizes. Text widths come from a `measure` function (canvas measureText in the page,
 * an estimate in tests and workers).
 */
import { formatType } from "../view-model/tensors-and-types";
import type { ViewGroup, ViewNode } from "../view-model/types";

export type Measure = (text: string, bold?: boolean) => number;

/** About 6.6 px per character of an 11 px UI font; bold a little wider. */
export const estimateTextWidth: Measure = (text, bold = false) => text.length * (bold ? 7.2 : 6.6);

export const NODE_HEIGHT = 28;
export const COLLAPSED_HEIGHT = 42;
export const HEADER_HEIGHT = 24;
const MIN_NODE_WIDTH = 56;
const MAX_BOX_WIDTH = 280;
const MAX_LABEL_CHARS = 44;

export function truncate(text: string, max = MAX_LABEL_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface BoxText {
  readonly title: string;
  readonly subtitle?: string;
}

export function nodeText(n: ViewNode): BoxText {
  if (n.kind === "input") return { title: truncate(`${n.name}: ${formatType(n.outputs[0]?.type ?? null)}`) };
  if (n.kind === "output") return { title: truncate(`${n.name}: ${formatType(n.inputs[0]?.type ?? null)}`) };
  return { title: truncate(n.op || "?") };
}

export function groupText(g: ViewGroup): BoxText {
  const count = `${g.nodeCount} node${g.nodeCount === 1 ? "" : "s"}`;
  switch (g.kind) {
    case "function": return { title: truncate(`ƒ ${g.label}`), subtitle: count };
    case "control": return { title: truncate(g.label), subtitle: `${count} in its bodies` };
    case "subgraph": return { title: truncate(g.label), subtitle: count };
    default: return { title: truncate(g.label), subtitle: count };
  }
}

const clampWidth = (w: number, least: number): number => Math.min(MAX_BOX_WIDTH, Math.max(least, Math.ceil(w)));

export function nodeSize(n: ViewNode, measure: Measure): { width: number; height: number } {
  return { width: clampWidth(measure(nodeText(n).title, n.kind === "op") + 24, MIN_NODE_WIDTH), height: NODE_HEIGHT };
}

export function collapsedSize(g: ViewGroup, measure: Measure): { width: number; height: number } {
  const t = groupText(g);
  return { width: clampWidth(Math.max(measure(t.title, true), measure(t.subtitle ?? "")) + 34, 80), height: COLLAPSED_HEIGHT };
}

/** An expanded group's least frame: its header (label, count and the collapse mark). */
export function headerSize(g: ViewGroup, measure: Measure): { width: number; height: number } {
  const t = groupText(g);
  return { width: clampWidth(measure(`${t.title}  ${t.subtitle ?? ""}`, true) + 36, 80), height: HEADER_HEIGHT };
}
