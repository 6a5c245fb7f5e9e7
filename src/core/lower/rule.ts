/**
 * A lowering rule turns one JAX primitive into ONNX ops. The registry is a plain map from
 * primitive name to rule (as JAX's own lowering table is); rules carry metadata that the docs,
 * the coverage table and the widget read.
 *
 * Complex numbers travel as real tensors with a trailing dimension of 2 (real, imag), see
 * docs/complex.md. An eqn with a complex input or output is lowered by the registry's second
 * table, `complex`, keyed the same way: its rules see the pairs and emit real arithmetic.
 */
import type { Value } from "../ir/ir";
import type { Eqn } from "../interchange/capture";
import type { LoweringContext } from "./context";

export interface LoweringRule {
  readonly primitive: string;
  /** ONNX ops the rule may emit (documentation and coverage). */
  readonly onnxOps: readonly string[];
  /** Lowest default-domain opset the rule's output is valid for. */
  readonly minOpset?: number;
  lower(ctx: LoweringContext, eqn: Eqn): Value | readonly Value[];
}

export interface RuleRegistry extends ReadonlyMap<string, LoweringRule> {
  /** Rules for eqns with a complex input or output (values as [..., 2] real pairs). */
  readonly complex?: ReadonlyMap<string, LoweringRule>;
}

function byPrimitive(rules: readonly LoweringRule[], table: string): Map<string, LoweringRule> {
  const map = new Map<string, LoweringRule>();
  for (const rule of rules) {
    if (map.has(rule.primitive)) throw new Error(`two ${table}lowering rules for primitive "${rule.primitive}"`);
    map.set(rule.primitive, rule);
  }
  return map;
}

export function makeRegistry(rules: readonly LoweringRule[], complexRules: readonly LoweringRule[] = []): Map<string, LoweringRule> & RuleRegistry {
  return Object.assign(byPrimitive(rules, ""), { complex: byPrimitive(complexRules, "complex ") });
}
