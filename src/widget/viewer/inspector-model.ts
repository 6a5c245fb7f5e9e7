/**
 * The inspector's content as plain data (titles and rows of text), so what it says is testable
 * without a DOM; the viewer renders every string with textContent.
 *  - a node: op, domain, name; attributes; inputs and outputs with dtype and shape (symbolic dims
 *    by name), initializers with their statistics; source file:line, module scope, JAX primitive;
 *  - a group: what it is, its node count and op histogram (and the call or owning node);
 *  - nothing: the model (format, producer, opsets, inputs/outputs, counts, op histogram).
 */
import { formatTensorShape, formatType } from "../view-model/tensors-and-types";
import { tensorStats } from "../view-model/tensor-stats";
import type { TensorStats, ViewAttribute, ViewNode, ViewTensor, ViewValue } from "../view-model/types";
import type { ViewIndex } from "./view-index";

export interface InspectorRow {
  readonly key: string;
  readonly value: string;
  /** A node or group id the row links to (choosing it selects that). */
  readonly target?: string;
  /** Render the value in the code font (names, shapes, numbers). */
  readonly code?: boolean;
}

export interface InspectorSection {
  readonly title: string;
  readonly rows: readonly InspectorRow[];
}

export interface InspectorContent {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly InspectorSection[];
}

/** Statistics are computed on selection; beyond this many elements they would stall the page. */
const MAX_STATS_ELEMENTS = 1 << 24;
const MAX_LIST_ITEMS = 16;

export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(3);
  return String(Number(x.toPrecision(5)));
}

function formatList(values: readonly (number | string)[], item: (v: number | string) => string): string {
  const shown = values.slice(0, MAX_LIST_ITEMS).map(item).join(", ");
  return values.length > MAX_LIST_ITEMS ? `[${shown}, …] (${values.length} items)` : `[${shown}]`;
}

export function formatStats(s: TensorStats): string {
  const parts = [`min ${formatNumber(s.min)}`, `max ${formatNumber(s.max)}`, `mean ${formatNumber(s.mean)}`, `std ${formatNumber(s.std)}`, `zeros ${s.zeros}`, `NaN ${s.nans}`];
  if (s.infs) parts.push(`inf ${s.infs}`);
  return parts.join(" · ");
}

const elementCount = (t: ViewTensor): number => t.shape.reduce((a, b) => a * b, 1);

/** Statistics, or why there are none. */
export function statsText(t: ViewTensor): string {
  if (t.hostStats) return formatStats(t.hostStats);
  if (elementCount(t) > MAX_STATS_ELEMENTS && t.data.kind === "raw") return `not computed (${elementCount(t).toLocaleString("en-US")} elements)`;
  const s = tensorStats(t);
  if (s) return formatStats(s);
  switch (t.data.kind) {
    case "external": return `in external data ${t.data.location}${t.data.offset !== undefined ? ` @ ${t.data.offset}` : ""} (not loaded)`;
    case "strings": return `${t.data.count} strings`;
    case "none": return "no data in the file";
    default: return `not readable for ${t.dtype}`;
  }
}

export function tensorSummary(t: ViewTensor): string {
  return `${formatTensorShape(t)} · ${statsText(t)}`;
}

export function attributeText(a: ViewAttribute): string {
  switch (a.kind) {
    case "int": return String(a.value);
    case "float": return formatNumber(a.value);
    case "string": return JSON.stringify(a.value);
    case "ints": return formatList(a.value, String);
    case "floats": return formatList(a.value, (v) => formatNumber(Number(v)));
    case "strings": return formatList(a.value, (v) => JSON.stringify(v));
    case "tensor": return `tensor ${tensorSummary(a.value)}`;
    case "tensors": return `${a.value.length} tensors`;
    case "graph": return `subgraph${a.value.name ? ` ${a.value.name}` : ""}, ${a.value.nodeCount} node${a.value.nodeCount === 1 ? "" : "s"}`;
    case "graphs": return `${a.value.length} subgraphs, ${a.value.reduce((s, g) => s + g.nodeCount, 0)} nodes`;
    case "ref": return `= caller's attribute ${a.value}`;
    case "other": return a.value;
  }
}

function valueRows(values: readonly (ViewValue | null)[], index: ViewIndex, side: "input" | "output"): InspectorRow[] {
  const rows: InspectorRow[] = [];
  values.forEach((v, k) => {
    if (!v) {
      rows.push({ key: `#${k}`, value: "(omitted)" });
      return;
    }
    if (v.initializer) {
      rows.push({ key: v.name || `#${k}`, value: `initializer ${formatTensorShape(v.initializer)}\n${statsText(v.initializer)}`, code: true });
      return;
    }
    const other = side === "input" ? v.producer : v.consumers[0];
    const target = other && index.nodes.has(other) ? other : undefined;
    rows.push({ key: v.name || `#${k}`, value: formatType(v.type), code: true, ...(target ? { target } : {}) });
  });
  return rows;
}

function histogram(nodes: Iterable<ViewNode>): InspectorRow[] {
  const counts = new Map<string, number>();
  for (const n of nodes) if (n.kind === "op") counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([op, count]) => ({ key: op, value: String(count), code: true }));
}

function nodeSections(n: ViewNode, index: ViewIndex): InspectorSection[] {
  const sections: InspectorSection[] = [];
  const basics: InspectorRow[] = [
    { key: "op", value: n.op, code: true },
    { key: "domain", value: n.domain || "ai.onnx (default)", code: true },
    { key: "name", value: n.name || "(none)", code: true },
  ];
  if (n.docString) basics.push({ key: "doc", value: n.docString });
  sections.push({ title: "Node", rows: basics });
  if (n.attributes.length) {
    sections.push({
      title: "Attributes",
      rows: n.attributes.map((a) => ({
        key: a.name,
        value: attributeText(a),
        code: true,
        ...(a.kind === "graph" && a.value.groupId ? { target: a.value.groupId } : {}),
      })),
    });
  }
  if (n.inputs.length) sections.push({ title: "Inputs", rows: valueRows(n.inputs, index, "input") });
  if (n.outputs.length) sections.push({ title: "Outputs", rows: valueRows(n.outputs, index, "output") });
  const source: InspectorRow[] = [];
  if (n.provenance.source) source.push({ key: "source", value: n.provenance.source, code: true });
  if (n.provenance.scope) source.push({ key: "module", value: n.provenance.scope, code: true });
  if (n.provenance.primitive) source.push({ key: "JAX primitive", value: n.provenance.primitive, code: true });
  for (const [key, value] of Object.entries(n.metadata)) {
    if (!key.startsWith("jax2onnx_lab.")) source.push({ key, value, code: true });
  }
  if (source.length) sections.push({ title: "Source", rows: source });
  return sections;
}

function ioSections(n: ViewNode, index: ViewIndex): InspectorSection[] {
  const v = n.kind === "input" ? n.outputs[0] : n.inputs[0];
  const rows: InspectorRow[] = [{ key: "name", value: n.name, code: true }, { key: "type", value: formatType(v?.type ?? null), code: true }];
  if (n.kind === "input" && v) {
    for (const c of v.consumers.slice(0, MAX_LIST_ITEMS)) {
      const consumer = index.nodes.get(c);
      if (consumer) rows.push({ key: "used by", value: consumer.name || consumer.op, target: c, code: true });
    }
    if (v.consumers.length > MAX_LIST_ITEMS) rows.push({ key: "", value: `… ${v.consumers.length - MAX_LIST_ITEMS} more` });
  } else if (v?.producer && index.nodes.has(v.producer)) {
    const p = index.nodes.get(v.producer)!;
    rows.push({ key: "made by", value: p.name || p.op, target: v.producer, code: true });
  }
  return [{ title: n.kind === "input" ? "Graph input" : "Graph output", rows }];
}

function leavesUnder(index: ViewIndex, id: string): ViewNode[] {
  const out: ViewNode[] = [];
  const stack = [...(index.children.get(id) ?? [])];
  while (stack.length) {
    const c = stack.pop()!;
    const n = index.nodes.get(c);
    if (n) out.push(n);
    const kids = index.children.get(c);
    if (kids) for (const k of kids) stack.push(k);
  }
  return out;
}

const GROUP_KIND_TEXT = { scope: "module scope", function: "function call", control: "node with subgraphs", subgraph: "subgraph body" } as const;

export function inspectorContent(index: ViewIndex, id: string | null): InspectorContent {
  if (id !== null) {
    const node = index.nodes.get(id);
    if (node) {
      if (node.kind !== "op") return { title: node.name, subtitle: node.kind === "input" ? "graph input" : "graph output", sections: ioSections(node, index) };
      return { title: node.op, subtitle: node.name, sections: nodeSections(node, index) };
    }
    const group = index.groups.get(id);
    if (group) {
      const rows: InspectorRow[] = [
        { key: "kind", value: GROUP_KIND_TEXT[group.kind] },
        { key: "path", value: group.title, code: true },
        { key: "nodes", value: String(group.nodeCount) },
      ];
      const sections: InspectorSection[] = [{ title: "Group", rows }];
      if (group.kind === "function" && group.node) {
        const fn = index.graph.info.functions.find((f) => f.name === group.node!.op && f.domain === group.node!.domain);
        if (fn) rows.push({ key: "function", value: `${fn.domain ? `${fn.domain}.` : ""}${fn.name} (${fn.nodeCount} nodes in its body, ${fn.calls} call${fn.calls === 1 ? "" : "s"})`, code: true });
        sections.push(...nodeSections(group.node, index));
      }
      sections.push({ title: "Operators inside", rows: histogram(leavesUnder(index, id)) });
      return { title: group.label, subtitle: GROUP_KIND_TEXT[group.kind], sections };
    }
  }
  return modelContent(index);
}

function modelContent(index: ViewIndex): InspectorContent {
  const { graph } = index;
  const info = graph.info;
  const weights = graph.initializers;
  const params = weights.reduce((s, t) => s + elementCount(t), 0);
  const rows: InspectorRow[] = [
    { key: "format", value: info.format },
    { key: "producer", value: info.producer || "(unknown)", code: true },
    { key: "opsets", value: info.opsets.map((o) => `${o.domain || "ai.onnx"} ${o.version}`).join(", ") || "(none)", code: true },
    { key: "graph", value: graph.name || "(unnamed)", code: true },
    { key: "nodes", value: index.opCount.toLocaleString("en-US") },
    { key: "initializers", value: `${weights.length.toLocaleString("en-US")} (${params.toLocaleString("en-US")} elements)` },
  ];
  if (info.functions.length) rows.push({ key: "functions", value: info.functions.map((f) => `${f.name} ×${f.calls}`).join(", "), code: true });
  if (info.docString) rows.push({ key: "doc", value: info.docString });
  const sections: InspectorSection[] = [{ title: "Model", rows }];
  const io = (values: readonly ViewValue[], prefix: string): InspectorRow[] =>
    values.map((v, k) => ({ key: v.name, value: formatType(v.type), code: true, target: `${prefix}${graphIndexOf(index, v, prefix, k)}` }));
  if (graph.inputs.length) sections.push({ title: "Inputs", rows: io(graph.inputs, "in") });
  if (graph.outputs.length) sections.push({ title: "Outputs", rows: io(graph.outputs, "out") });
  sections.push({ title: "Operators", rows: histogram(graph.nodes) });
  const meta = Object.entries(info.metadata);
  if (meta.length) sections.push({ title: "Metadata", rows: meta.map(([key, value]) => ({ key, value, code: true })) });
  if (graph.warnings.length) sections.push({ title: "Notes", rows: graph.warnings.map((w) => ({ key: "", value: w })) });
  return { title: graph.name || "model", subtitle: info.producer, sections };
}

/** The id of the input/output node of a main-graph value (ids are `in<k>` / `out<k>` in file order). */
function graphIndexOf(index: ViewIndex, v: ViewValue, prefix: string, fallback: number): number {
  for (const n of index.graph.nodes) {
    if (n.parent !== null || !n.id.startsWith(prefix)) continue;
    const value = prefix === "in" ? n.outputs[0] : n.inputs[0];
    if (value === v) return Number(n.id.slice(prefix.length));
  }
  return fallback;
}
