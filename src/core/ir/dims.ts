/**
 * Dimensions: a static size, a symbolic expression as JAX prints it (`"B"`, `"2*B"`,
 * `"floordiv(B, 2)"`), or null when nothing is known. Symbolic expressions are parsed so that
 * the builder can compute them at run time from the graph inputs' shapes.
 */

export type Dim = number | string | null;
export type Shape = readonly Dim[];

export type DimExpr =
  | { kind: "int"; value: number }
  | { kind: "sym"; name: string }
  | { kind: "add" | "sub" | "mul" | "pow"; a: DimExpr; b: DimExpr }
  | { kind: "call"; fn: "floordiv" | "mod" | "max" | "min" | "non_negative"; args: DimExpr[] };

/** Arity of each function JAX prints in dimension expressions. */
const CALLS = new Map([["floordiv", 2], ["mod", 2], ["max", 2], ["min", 2], ["non_negative", 1]]);

export class DimParseError extends Error {
  override name = "DimParseError";
}

/** Parses a JAX symbolic dimension expression (`str()` of a `_DimExpr`). */
export function parseDim(text: string): DimExpr {
  const tokens = text.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+|[-+*^(),])/g);
  if (!tokens || tokens.join("").replace(/\s/g, "") !== text.replace(/\s/g, "")) {
    throw new DimParseError(`cannot parse dimension expression "${text}"`);
  }
  const toks = tokens.map((t) => t.trim());
  let pos = 0;
  const peek = (): string | undefined => toks[pos];
  const expect = (t: string): void => {
    if (toks[pos] !== t) throw new DimParseError(`expected "${t}" in dimension "${text}"`);
    pos++;
  };
  const expr = (): DimExpr => {
    let left = term();
    while (peek() === "+" || peek() === "-") {
      const op = toks[pos++] === "+" ? "add" : "sub";
      left = { kind: op, a: left, b: term() };
    }
    return left;
  };
  const term = (): DimExpr => {
    let left = power();
    while (peek() === "*") {
      pos++;
      left = { kind: "mul", a: left, b: power() };
    }
    return left;
  };
  const power = (): DimExpr => {
    const base = atom();
    if (peek() === "^") {
      pos++;
      return { kind: "pow", a: base, b: atom() };
    }
    return base;
  };
  const atom = (): DimExpr => {
    const t = toks[pos++];
    if (t === undefined) throw new DimParseError(`unexpected end of dimension "${text}"`);
    // Unary minus binds looser than ^: JAX prints -(B^2) as "- B^2".
    if (t === "-") return { kind: "mul", a: { kind: "int", value: -1 }, b: power() };
    if (t === "(") {
      const e = expr();
      expect(")");
      return e;
    }
    if (/^\d+$/.test(t)) return { kind: "int", value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === "(" && CALLS.has(t)) {
        pos++;
        const args = [expr()];
        while (peek() === ",") {
          pos++;
          args.push(expr());
        }
        expect(")");
        if (args.length !== CALLS.get(t)) throw new DimParseError(`${t} takes ${CALLS.get(t)} arguments in dimension "${text}"`);
        return { kind: "call", fn: t as "floordiv", args };
      }
      return { kind: "sym", name: t };
    }
    throw new DimParseError(`unexpected "${t}" in dimension "${text}"`);
  };
  const result = expr();
  if (pos !== toks.length) throw new DimParseError(`trailing input in dimension "${text}"`);
  return result;
}

/** The symbol names an expression uses. */
export function dimSymbols(e: DimExpr, into: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case "int": break;
    case "sym": into.add(e.name); break;
    case "call": e.args.forEach((a) => dimSymbols(a, into)); break;
    default: dimSymbols(e.a, into); dimSymbols(e.b, into);
  }
  return into;
}

/** Evaluates an expression given values for its symbols (JAX semantics: floordiv rounds down). */
export function evalDim(e: DimExpr, env: ReadonlyMap<string, number>): number {
  switch (e.kind) {
    case "int": return e.value;
    case "sym": {
      const v = env.get(e.name);
      if (v === undefined) throw new DimParseError(`no value for dimension symbol "${e.name}"`);
      return v;
    }
    case "add": return evalDim(e.a, env) + evalDim(e.b, env);
    case "sub": return evalDim(e.a, env) - evalDim(e.b, env);
    case "mul": return evalDim(e.a, env) * evalDim(e.b, env);
    case "pow": return evalDim(e.a, env) ** evalDim(e.b, env);
    case "call": {
      const [a, b] = e.args.map((x) => evalDim(x, env));
      switch (e.fn) {
        case "floordiv": return Math.floor(a / b);
        case "mod": return a - b * Math.floor(a / b);
        case "max": return Math.max(a, b);
        case "min": return Math.min(a, b);
        case "non_negative": return Math.max(a, 0);
      }
    }
  }
}

export const isStatic = (d: Dim): d is number => typeof d === "number";
export const isStaticShape = (s: Shape): s is readonly number[] => s.every(isStatic);

/** Number of elements when every dim is static, else null. */
export function staticSize(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number") return null;
    n *= d;
  }
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(",")}]`;
}

/** Two dims that may be the same size (an unknown dim matches anything). */
export function dimsCompatible(a: Dim, b: Dim): boolean {
  return a === null || b === null || a === b;
}

/** Product of two dims: static when both are, a symbolic product when one is a plain expression. */
export function mulDims(a: Dim, b: Dim): Dim {
  if (a === null || b === null) return null;
  if (typeof a === "number" && typeof b === "number") return a * b;
  if (a === 1) return b;
  if (b === 1) return a;
  return null;
}

/** Broadcasts two shapes with numpy rules; unknown where a symbol meets a different symbol. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === y) out.push(x);
    else if (x === null || y === null) out.push(x ?? y);
    else if (typeof x === "number" && typeof y === "number") return undefined;
    // A symbol against a static size > 1: valid only if the symbol is that size (or 1).
    else if (typeof x === "number" || typeof y === "number") out.push(typeof x === "number" ? x : y);
    else out.push(null);
  }
  return out;
}
