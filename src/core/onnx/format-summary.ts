/**
 * The inspect summary as terminal text. Strings in a model are data from elsewhere: control
 * characters (ANSI escapes can rewrite a terminal), bidi overrides (can reorder what is shown)
 * and very long names are shown escaped or cut, never passed through.
 */
import type { ModelSummary, ValueSummary } from "./summary";

const MAX_SHOWN = 160;

// C0 and C1 controls, DEL, and the Unicode bidi controls (U+061C, U+200E/F, U+202A-E, U+2066-9).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` safe to print: unsafe characters as `\u{..}` escapes, cut at `max` characters. */
export function printable(s: string, max = MAX_SHOWN): string {
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
  return cut.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

const bytes = (n: number): string => (n < 1024 ? `${n} B` : n < 2 ** 20 ? `${(n / 1024).toFixed(1)} KiB` : n < 2 ** 30 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 2 ** 30).toFixed(2)} GiB`);

const values = (list: readonly ValueSummary[]): string[] => (list.length ? list.map((v) => `    ${printable(v.name)}: ${printable(v.type)}`) : ["    (none)"]);

const MAX_LISTED = 50;

export function formatSummary(path: string, s: ModelSummary): string {
  const lines = [
    `${printable(path, 400)}: ONNX model${s.graphName ? ` "${printable(s.graphName)}"` : ""}, IR version ${s.irVersion}${s.producer ? `, produced by ${printable(s.producer)}` : ""}`,
    `  opsets: ${s.opsets.length ? s.opsets.map((o) => `${printable(o.domain)} ${o.version}`).join(", ") : "(none)"}`,
    `  inputs (${s.inputs.length}):`,
    ...values(s.inputs.slice(0, MAX_LISTED)),
    ...(s.inputs.length > MAX_LISTED ? [`    ... and ${s.inputs.length - MAX_LISTED} more`] : []),
    `  outputs (${s.outputs.length}):`,
    ...values(s.outputs.slice(0, MAX_LISTED)),
    ...(s.outputs.length > MAX_LISTED ? [`    ... and ${s.outputs.length - MAX_LISTED} more`] : []),
  ];
  const ops = Object.entries(s.ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  lines.push(`  nodes: ${s.nodes}${s.subgraphs ? ` (${s.subgraphs} subgraph${s.subgraphs === 1 ? "" : "s"} included)` : ""}`);
  for (const [op, n] of ops.slice(0, MAX_LISTED)) lines.push(`    ${String(n).padStart(6)}  ${printable(op)}`);
  if (ops.length > MAX_LISTED) lines.push(`    ... and ${ops.length - MAX_LISTED} more op types`);
  lines.push(`  functions (${s.functions.length})${s.functions.length ? ":" : ""}`);
  for (const f of s.functions.slice(0, MAX_LISTED)) {
    lines.push(`    ${printable(f.domain)}.${printable(f.name)}(${f.inputs.map((x) => printable(x, 40)).join(", ")}) -> ${f.outputs.map((x) => printable(x, 40)).join(", ")}: ${f.nodes} nodes`);
  }
  if (s.functions.length > MAX_LISTED) lines.push(`    ... and ${s.functions.length - MAX_LISTED} more`);
  const init = s.initializers;
  const external = init.externalFiles.length || init.externalBytes || init.externalUnknown
    ? `; ${bytes(init.externalBytes)} in external data (${init.externalFiles.map((f) => printable(f, 80)).join(", ")})${init.externalUnknown ? `, ${init.externalUnknown} tensors of unknown size` : ""}`
    : "";
  lines.push(`  initializers: ${init.count}, ${bytes(init.inlineBytes)} in the file${external}`);
  lines.push(`  metadata (${s.metadata.length})${s.metadata.length ? ":" : ""}`);
  for (const m of s.metadata.slice(0, MAX_LISTED)) lines.push(`    ${printable(m.key, 80)} = ${printable(m.value)}`);
  if (s.metadata.length > MAX_LISTED) lines.push(`    ... and ${s.metadata.length - MAX_LISTED} more`);
  return `${lines.join("\n")}\n`;
}
