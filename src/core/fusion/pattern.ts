/**
 * Dataflow patterns over the IR, matched from a value back through its producers. A pattern is
 * an op with input patterns (Add and Mul match either operand order), a named variable (the
 * same name must bind the same value), or a constant the converter holds whose every element
 * is a given number (within a relative tolerance: JAX writes constants in the model's dtype).
 */
import { knownScalar, type Value } from "../ir/ir";

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
  return matchInto(pattern, value, bindings, []) ? bindings : null;
}

// `bound` lists the variables bound so far, in order: an attempt that fails unbinds back to the
// length it started at (an undo log instead of a copy of the bindings per attempt).
function matchInto(p: Pattern, value: Value, b: Bindings, bound: string[]): boolean {
  switch (p.kind) {
    case "var": {
      const known = b.get(p.name);
      if (known) return known === value;
      b.set(p.name, value);
      bound.push(p.name);
      return true;
    }
    case "const": {
      // Broadcast-neutral only (one element): replacing the op must not change the result's shape.
      const known = knownScalar(value);
      if (known === null) return false;
      return Math.abs(known - p.value) <= p.rtol * Math.abs(p.value);
    }
    case "op": {
      const node = value.producer;
      if (!node || node.op !== p.op || node.domain !== "" || node.inputs.length !== p.inputs.length) return false;
      const mark = bound.length;
      if (matchInputs(p.inputs, node.inputs, b, bound, false)) return true;
      unbind(b, bound, mark);
      if (!COMMUTATIVE.has(p.op) || p.inputs.length !== 2) return false;
      if (matchInputs(p.inputs, node.inputs, b, bound, true)) return true;
      unbind(b, bound, mark);
      return false;
    }
  }
}

/** The input patterns against the node's inputs, in order (or, for two, swapped). */
function matchInputs(patterns: readonly Pattern[], inputs: readonly (Value | null)[], b: Bindings, bound: string[], swapped: boolean): boolean {
  for (let i = 0; i < patterns.length; i++) {
    const input = inputs[i];
    if (input === null || !matchInto(patterns[swapped ? 1 - i : i], input, b, bound)) return false;
  }
  return true;
}

function unbind(b: Bindings, bound: string[], mark: number): void {
  while (bound.length > mark) b.delete(bound.pop()!);
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
