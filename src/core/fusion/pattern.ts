/**
 * Dataflow patterns over the IR, matched from a value back through its producers. A pattern is
 * an op with input patterns (Add and Mul match either operand order), a named variable (the
 * same name must bind the same value), or a constant the converter holds whose every element
 * is a given number (within a relative tolerance: JAX writes constants in the model's dtype).
 */
import { knownValues, type Value } from "../ir/ir";

export type Pattern =
  | { readonly kind: "op"; readonly op: string; readonly inputs: readonly Pattern[] }
  | { readonly kind: "var"; readonly name: string }
  | { readonly kind: "const"; readonly value: number; readonly rtol: number };

const COMMUTATIVE = new Set(["Add", "Mul", "Max", "Min", "And", "Or", "Equal"]);

export const op = (name: string, ...inputs: Pattern[]): Pattern => ({ kind: "op", op: name, inputs });
export const v = (name: string): Pattern => ({ kind: "var", name });
export const c = (value: number, rtol = 1e-6): Pattern => ({ kind: "const", value, rtol });

export type Bindings = Map<string, Value>;

/** Matches `pattern` against `value`; on success `bindings` holds the variables. */
export function match(pattern: Pattern, value: Value, bindings: Bindings = new Map()): Bindings | null {
  return matchInto(pattern, value, bindings) ? bindings : null;
}

function matchInto(p: Pattern, value: Value, b: Bindings): boolean {
  switch (p.kind) {
    case "var": {
      const bound = b.get(p.name);
      if (bound) return bound === value;
      b.set(p.name, value);
      return true;
    }
    case "const": {
      const values = knownValues(value);
      // Broadcast-neutral only (one element): replacing the op must not change the result's shape.
      if (!values || values.length !== 1) return false;
      return Math.abs(values[0] - p.value) <= p.rtol * Math.abs(p.value);
    }
    case "op": {
      const node = value.producer;
      if (!node || node.op !== p.op || node.domain !== "" || node.inputs.length !== p.inputs.length) return false;
      if (tryInputs(p.inputs, node.inputs, b)) return true;
      if (COMMUTATIVE.has(p.op) && p.inputs.length === 2) return tryInputs([p.inputs[1], p.inputs[0]], node.inputs, b);
      return false;
    }
  }
}

function tryInputs(patterns: readonly Pattern[], inputs: readonly (Value | null)[], b: Bindings): boolean {
  const saved = new Map(b);
  const ok = patterns.every((p, i) => inputs[i] !== null && matchInto(p, inputs[i] as Value, b));
  if (!ok) {
    b.clear();
    saved.forEach((val, key) => b.set(key, val));
  }
  return ok;
}

/**
 * For a commutative root matched as op(v(a), v(b)): makes `a` the operand produced by `op`
 * (swapping the two bindings when it is `b`), so a check can rely on the order.
 */
export function orderByProducer(b: Bindings, a: string, opName: string, other = [...b.keys()].find((k) => k !== a)): void {
  const [x, y] = [b.get(a), other ? b.get(other) : undefined];
  if (x?.producer?.op !== opName && y?.producer?.op === opName && other) {
    b.set(a, y);
    b.set(other, x!);
  }
}
