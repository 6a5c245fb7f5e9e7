/**
 * Prints the registry's rules as JSON for scripts/gen-coverage.py: for each rule in the real
 * and complex tables its primitive, ONNX ops, min opset and the plugin file that exports it.
 * gen-coverage.py bundles this with a generated `./plugin-modules` that imports every plugin
 * file (so new files of other helpers are found without editing anything here).
 */
import type { LoweringRule } from "../../src/core";
import { defaultRegistry } from "../../plugins";
import { MODULES } from "./plugin-modules";

function rulesIn(value: unknown): LoweringRule[] {
  if (Array.isArray(value)) return value.flatMap(rulesIn);
  const r = value as Partial<LoweringRule> | null;
  return r && typeof r === "object" && typeof r.primitive === "string" && typeof r.lower === "function" ? [r as LoweringRule] : [];
}

const fileOf = new Map<LoweringRule, string>();
for (const [file, mod] of Object.entries(MODULES)) {
  for (const value of Object.values(mod as Record<string, unknown>)) for (const rule of rulesIn(value)) if (!fileOf.has(rule)) fileOf.set(rule, file);
}

const row = (table: string) => (rule: LoweringRule) => ({
  table,
  primitive: rule.primitive,
  onnxOps: [...rule.onnxOps],
  minOpset: rule.minOpset ?? null,
  file: fileOf.get(rule) ?? null,
});

process.stdout.write(
  JSON.stringify([...[...defaultRegistry.values()].map(row("real")), ...[...(defaultRegistry.complex?.values() ?? [])].map(row("complex"))]),
);
