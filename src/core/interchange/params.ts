/**
 * Eqn params: the generic lossless encoding of interchange v1 (docs/interchange.md, "Params")
 * and a typed accessor that rules read them through. A read that does not fit (a missing param,
 * an opaque value the capture could not encode) fails naming the primitive, the param and why.
 */
import type { DType } from "../ir/dtype";
import type { AvalDim, Jaxpr } from "./capture";

export type ParamValue =
  | null
  | boolean
  | number
  | string
  | readonly ParamValue[]
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "bigint"; readonly text: string }
  | { readonly kind: "dtype"; readonly dtype: DType }
  | { readonly kind: "jaxpr"; readonly jaxpr: Jaxpr }
  | { readonly kind: "enum"; readonly type: string; readonly name: string }
  | StructParam
  | { readonly kind: "dim"; readonly expr: string }
  | { readonly kind: "buffer"; readonly index: number }
  | { readonly kind: "opaque"; readonly type: string }
  | { readonly kind: "dict"; readonly entries: Readonly<Record<string, ParamValue>> };

export interface StructParam {
  readonly kind: "struct";
  readonly type: string;
  readonly fields: Readonly<Record<string, ParamValue>>;
}

export class ParamError extends Error {
  override name = "ParamError";
}

type Tagged = Exclude<ParamValue, null | boolean | number | string | readonly ParamValue[]>;

const isTagged = (v: ParamValue): v is Tagged => v !== null && typeof v === "object" && !Array.isArray(v);

function describe(v: ParamValue): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return "tuple";
  if (isTagged(v)) return v.kind === "opaque" ? `opaque ${v.type}` : v.kind;
  return typeof v;
}

export class Params {
  constructor(
    readonly prim: string,
    readonly values: Readonly<Record<string, ParamValue>>,
  ) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.values, name);
  }

  names(): string[] {
    return Object.keys(this.values);
  }

  /** The raw value; fails when the param is missing or opaque. */
  get(name: string): ParamValue {
    if (!this.has(name)) throw this.error(name, "is missing");
    const v = this.values[name];
    if (isTagged(v) && v.kind === "opaque") {
      throw this.error(name, `holds a ${v.type}, which the capture cannot encode as data (it was kept as an opaque marker); a rule that needs it must get it encoded by the capture's param encoder`);
    }
    return v;
  }

  /** True when the param is absent or None. */
  isNone(name: string): boolean {
    return !this.has(name) || this.values[name] === null;
  }

  int(name: string): number {
    const v = this.get(name);
    if (typeof v === "number") return v;
    throw this.error(name, `is ${describe(v)}, expected an int`);
  }

  float(name: string): number {
    const v = this.get(name);
    if (typeof v === "number") return v;
    if (isTagged(v) && v.kind === "float") return v.value;
    throw this.error(name, `is ${describe(v)}, expected a float`);
  }

  bool(name: string): boolean {
    const v = this.get(name);
    if (typeof v === "boolean") return v;
    throw this.error(name, `is ${describe(v)}, expected a bool`);
  }

  str(name: string): string {
    const v = this.get(name);
    if (typeof v === "string") return v;
    throw this.error(name, `is ${describe(v)}, expected a string`);
  }

  /** Ints of a tuple param; `path` indexes into nested tuples (`ints("dimension_numbers", 0, 1)`). */
  ints(name: string, ...path: number[]): number[] {
    const t = this.tuple(name, ...path);
    const out = new Array<number>(t.length);
    for (let i = 0; i < t.length; i++) {
      const x = t[i];
      if (typeof x !== "number") throw this.error(`${name}${path.map((k) => `[${k}]`).join("")}[${i}]`, `is ${describe(x)}, expected an int`);
      out[i] = x;
    }
    return out;
  }

  /** A tuple of static or symbolic sizes (`reshape.new_sizes`, `broadcast_in_dim.shape`). */
  dims(name: string): AvalDim[] {
    return this.tuple(name).map((x, i) => {
      if (typeof x === "number") return x;
      if (isTagged(x) && x.kind === "dim") return x.expr;
      throw this.error(`${name}[${i}]`, `is ${describe(x)}, expected a dimension`);
    });
  }

  dim(name: string): AvalDim {
    const v = this.get(name);
    if (typeof v === "number") return v;
    if (isTagged(v) && v.kind === "dim") return v.expr;
    throw this.error(name, `is ${describe(v)}, expected a dimension`);
  }

  tuple(name: string, ...path: number[]): readonly ParamValue[] {
    let v = this.get(name);
    // The path so far, for an error only.
    const where = (depth: number): string => name + path.slice(0, depth).map((k) => `[${k}]`).join("");
    for (let depth = 0; ; depth++) {
      if (!Array.isArray(v)) throw this.error(where(depth), `is ${describe(v)}, expected a tuple`);
      if (depth === path.length) return v as readonly ParamValue[];
      const i = path[depth];
      if (i >= v.length) throw this.error(where(depth), `has no element ${i}`);
      v = v[i];
    }
  }

  dtype(name: string): DType {
    const v = this.get(name);
    if (isTagged(v) && v.kind === "dtype") return v.dtype;
    throw this.error(name, `is ${describe(v)}, expected a dtype`);
  }

  jaxpr(name: string): Jaxpr {
    return this.asJaxpr(name, this.get(name));
  }

  jaxprs(name: string): Jaxpr[] {
    return this.tuple(name).map((v, i) => this.asJaxpr(`${name}[${i}]`, v));
  }

  enumName(name: string, type?: string): string {
    const v = this.get(name);
    if (isTagged(v) && v.kind === "enum" && (type === undefined || v.type === type)) return v.name;
    throw this.error(name, `is ${describe(v)}, expected ${type ?? "an"} enum`);
  }

  struct(name: string, type?: string): StructParam {
    const v = this.get(name);
    if (isTagged(v) && v.kind === "struct" && (type === undefined || v.type === type)) return v;
    throw this.error(name, `is ${describe(v)}, expected ${type ?? "a struct"}`);
  }

  /** Reads a field of a struct param as a Params view, so the same typed getters apply. */
  structFields(name: string, type?: string): Params {
    return new Params(`${this.prim}.${name}`, this.struct(name, type).fields);
  }

  private asJaxpr(name: string, v: ParamValue): Jaxpr {
    if (isTagged(v) && v.kind === "jaxpr") return v.jaxpr;
    throw this.error(name, `is ${describe(v)}, expected a jaxpr`);
  }

  private error(name: string, what: string): ParamError {
    return new ParamError(`primitive "${this.prim}": param "${name}" ${what}`);
  }
}
