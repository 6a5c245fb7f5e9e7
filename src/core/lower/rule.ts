/**
 * A lowering rule turns one JAX primitive into ONNX ops. The registry is a plain map from
 * primitive name to rule (as JAX's own lowering table is); rules carry metadata that the docs,
 * the coverage table and the widget read.
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

export type RuleRegistry = ReadonlyMap<string, LoweringRule>;

export function makeRegistry(rules: readonly LoweringRule[]): Map<string, LoweringRule> {
  const registry = new Map<string, LoweringRule>();
  for (const rule of rules) {
    if (registry.has(rule.primitive)) throw new Error(`two lowering rules for primitive "${rule.primitive}"`);
    registry.set(rule.primitive, rule);
  }
  return registry;
}
