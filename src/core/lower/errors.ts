/**
 * Conversion errors a user can act on: what failed, where in their code, and what to do.
 * Both kinds collect every problem in the program before failing, so one run shows them all.
 */
import type { Aval, Eqn, SourceLoc } from "../interchange/capture";

export function formatAval(a: Aval): string {
  const short: Record<string, string> = { complex64: "c64", complex128: "c128", float32: "f32", float64: "f64", float16: "f16", bfloat16: "bf16", int32: "i32", int64: "i64", int8: "i8", int16: "i16", uint8: "u8", uint32: "u32", bool: "bool" };
  return `${short[a.dtype] ?? a.dtype}[${a.shape.join(",")}]`;
}

export function formatSource(s: SourceLoc | undefined, root?: string): string {
  if (!s) return "<unknown source>";
  return `${shortenPath(s.file, root)}:${s.line}${s.col !== undefined ? `:${s.col}` : ""}${s.fn ? ` (${s.fn})` : ""}`;
}

/**
 * A path as it may appear in a shipped model: relative to `root` when inside it, else the file
 * name alone, so that models do not carry the converting machine's directory layout.
 */
export function shortenPath(file: string, root?: string): string {
  if (root === undefined) return file;
  const base = root.endsWith("/") ? root : `${root}/`;
  if (file.startsWith(base)) return file.slice(base.length);
  return file.slice(file.lastIndexOf("/") + 1);
}

export function eqnSignature(e: Eqn): string {
  const ins = e.inputs.map((a) => formatAval(a.kind === "var" ? a.var.aval : a.aval)).join(", ");
  const outs = e.outputs.map((v) => formatAval(v.aval)).join(", ");
  return `(${ins}) -> ${outs}`;
}

export interface ErrorSite {
  readonly primitive: string;
  readonly signature: string;
  readonly source: string;
  readonly scope: string;
  /** The primitive has a rule for real values but none for complex ones (docs/complex.md). */
  readonly complexOnly?: boolean;
}

export function siteOf(e: Eqn, scope: readonly string[]): ErrorSite {
  return { primitive: e.prim, signature: eqnSignature(e), source: formatSource(e.src), scope: scope.join("/") };
}

export class ConversionError extends Error {
  override name = "ConversionError";
  constructor(
    readonly kind: "unsupported_primitives" | "lowering_failed" | "invalid_capture",
    message: string,
    readonly sites: readonly (ErrorSite & { readonly reason?: string })[] = [],
  ) {
    super(message);
  }
}

/** Hints for primitives that usually mean a model-side fix rather than a missing rule. */
const HINTS: Record<string, string> = {
  random_bits: "random ops in the traced program usually come from Dropout or another layer in training mode: call model.eval() (Flax NNX), pass deterministic=True / inference=True, or use eqx.nn.inference_mode(model) before converting.",
  random_seed: "see random_bits",
  random_wrap: "see random_bits",
  random_unwrap: "see random_bits",
  threefry2x32: "see random_bits",
};

const MAX_SITES = 3;

export function unsupportedPrimitivesError(sites: readonly ErrorSite[]): ConversionError {
  const byPrim = new Map<string, ErrorSite[]>();
  for (const s of sites) byPrim.set(s.primitive, [...(byPrim.get(s.primitive) ?? []), s]);
  const lines = [`Cannot convert: ${byPrim.size} JAX primitive${byPrim.size === 1 ? " has" : "s have"} no ONNX lowering rule: ${[...byPrim.keys()].join(", ")}.`, ""];
  for (const [prim, list] of byPrim) {
    lines.push(`  ${prim}  (${list.length} use${list.length === 1 ? "" : "s"})`);
    for (const s of list.slice(0, MAX_SITES)) lines.push(`    ${s.signature}  at ${s.source}${s.scope ? `  in ${s.scope}` : ""}`);
    if (list.length > MAX_SITES) lines.push(`    ... and ${list.length - MAX_SITES} more`);
    if (HINTS[prim]) lines.push(`    hint: ${HINTS[prim]}`);
    if (list.some((s) => s.complexOnly)) lines.push(`    (its rule handles real values only; complex ones need a rule in the complex table, see docs/complex.md)`);
  }
  lines.push(
    "",
    "To add one, write a lowering rule (plugins/<group>/<primitive>.ts: read inputs, emit ONNX ops through the builder, return outputs),",
    "list it in plugins/index.ts and add its test cases beside it; docs/plugins.md walks through one.",
  );
  return new ConversionError("unsupported_primitives", lines.join("\n"), sites);
}

export function loweringFailedError(failures: readonly (ErrorSite & { reason: string })[]): ConversionError {
  const lines = [`Cannot convert: ${failures.length} equation${failures.length === 1 ? "" : "s"} could not be lowered.`, ""];
  for (const f of failures) {
    lines.push(`  ${f.primitive} ${f.signature}  at ${f.source}${f.scope ? `  in ${f.scope}` : ""}`);
    lines.push(`    ${f.reason}`);
  }
  return new ConversionError("lowering_failed", lines.join("\n"), failures);
}
