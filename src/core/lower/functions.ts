/**
 * The model-local ONNX functions made from `@onnx_function` calls. A call's body is lowered into
 * its own graph; two calls whose bodies are the same graph (ops, attributes, wiring, constants,
 * input and output types) share one FunctionProto. Names are unique per domain: a second body
 * under the same name (another signature) becomes `Name_2`.
 */
import { OnnxFunction, type Attr, type Graph, type Value } from "../ir/ir";
import { formatShape } from "../ir/dims";

function typeKey(v: Value): string {
  return `${v.type.dtype}${formatShape(v.type.shape)}`;
}

function attrKey(a: Attr): string {
  switch (a.type) {
    case "graph": return `graph(${graphKey(a.value)})`;
    case "tensor": {
      const t = a.value;
      return `tensor(${t.dtype}[${t.shape.join(",")}]:${t.data.kind === "bytes" ? t.data.bytes.join(",") : `host${t.data.buffer}`})`;
    }
    default: return JSON.stringify(a.value);
  }
}

/**
 * What a graph computes, independent of its value and node names and of node metadata: two
 * graphs with the same key are interchangeable as function bodies.
 */
export function graphKey(g: Graph): string {
  const ids = new Map<Value, string>();
  const ref = (v: Value | null): string => {
    if (!v) return "-";
    const known = ids.get(v);
    // A value read from an enclosing graph (subgraphs) is named by its type only.
    return known ?? `outer:${typeKey(v)}`;
  };
  const parts: string[] = [];
  g.inputs.forEach((v, i) => {
    ids.set(v, `i${i}`);
    parts.push(`in ${typeKey(v)}`);
  });
  g.initializers.forEach((v, i) => {
    ids.set(v, `c${i}`);
    const t = v.tensor;
    const data = t?.data.kind === "bytes" ? t.data.bytes.join(",") : `host${t?.data.kind === "host" ? t.data.buffer : "?"}`;
    parts.push(`const ${typeKey(v)} ${data}`);
  });
  g.nodes.forEach((n, k) => {
    n.outputs.forEach((v, i) => ids.set(v, `n${k}.${i}`));
    const attrs = Object.keys(n.attrs).sort().map((name) => `${name}=${attrKey(n.attrs[name])}`);
    parts.push(`${n.domain}::${n.op}(${n.inputs.map(ref).join(",")})[${attrs.join(";")}]->${n.outputs.map(typeKey).join(",")}`);
  });
  parts.push(`out ${g.outputs.map((v) => `${ref(v)}:${typeKey(v)}`).join(",")}`);
  return parts.join("\n");
}

export class FunctionLibrary {
  readonly functions: OnnxFunction[] = [];
  private readonly byKey = new Map<string, OnnxFunction>();
  private readonly names = new Set<string>();

  /** The function for `body` under `name` in `domain`: an existing one with the same body, or a new one. */
  add(name: string, domain: string, opset: number, body: Graph): OnnxFunction {
    const key = `${domain}|${name}|${graphKey(body)}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    let unique = name;
    for (let k = 2; this.names.has(`${domain}|${unique}`); k++) unique = `${name}_${k}`;
    this.names.add(`${domain}|${unique}`);
    body.name = unique;
    const fn = new OnnxFunction(unique, domain, opset, body);
    this.byKey.set(key, fn);
    this.functions.push(fn);
    return fn;
  }

  domains(): string[] {
    return [...new Set(this.functions.map((f) => f.domain))];
  }
}
