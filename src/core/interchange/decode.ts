/**
 * Decodes and validates an interchange v1 capture (docs/interchange.md). Input is `unknown`
 * (JSON from the container or a widget comm message); output is the typed `Capture`. Every
 * problem is a CaptureDecodeError naming the JSON path.
 */
import { DimParseError, parseDim } from "../ir/dims";
import { dtypeByteSize, isDType, isFloat, type DType } from "../ir/dtype";
import {
  CaptureDecodeError,
  type Atom,
  type Aval,
  type AvalDim,
  type BufferInfo,
  type Capture,
  type ConstVar,
  type Eqn,
  type FunctionCall,
  type Jaxpr,
  type ModelInfo,
  type ScalarValue,
  type SourceLoc,
  type Var,
} from "./capture";
import { readContainer } from "./container";
import { MAX_DIM_TEXT, MAX_ELEMENTS, MAX_JSON_DEPTH, MAX_RANK, pathDeeperThan } from "./limits";
import { Params, type ParamValue } from "./params";

export const FORMAT = "jax2onnx-lab.capture";
export const VERSION = 1;

type Json = Record<string, unknown>;

const fail = (path: string, message: string): never => {
  throw new CaptureDecodeError(message, path);
};

function obj(v: unknown, path: string): Json {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(path, "expected an object");
  return v as Json;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, "expected an array");
  return v as unknown[];
}

function int(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(path, "expected an integer");
  // Beyond 2^53 a JSON number has already lost its exact value (big ints travel as {$int}).
  if (!Number.isSafeInteger(v)) fail(path, `integer ${v} is beyond 2^53`);
  return v as number;
}

function nonNegative(v: unknown, path: string, what: string): number {
  const n = int(v, path);
  if (n < 0) fail(path, `negative ${what} ${n}`);
  return n;
}

/** A shape's static part must fit numpy's rank and a size a runtime could hold (limits.ts). */
function checkShapeBounds(shape: readonly (number | string)[], path: string): void {
  if (shape.length > MAX_RANK) fail(path, `rank ${shape.length} is beyond numpy's ${MAX_RANK} dimensions`);
  let elements = 1;
  for (const d of shape) if (typeof d === "number") elements *= d;
  if (elements > MAX_ELEMENTS) fail(path, `${elements} elements is beyond 2^40: not a shape a runtime can hold (a corrupted capture?)`);
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string") fail(path, "expected a string");
  return v as string;
}

function dtype(v: unknown, path: string): DType {
  const s = str(v, path);
  if (!isDType(s)) fail(path, `unknown dtype "${s}"`);
  return s as DType;
}

/** Decodes a capture from container bytes. */
export function decodeCaptureBytes(bytes: Uint8Array): Capture {
  const raw = readContainer(bytes, inlineBufferSizes);
  return decodeCapture(raw.header, raw.blobs);
}

function inlineBufferSizes(header: unknown): { index: number; size: number }[] {
  const buffers = arr(obj(header, "$").buffers, "$.buffers");
  // Paths name the buffer-table index, not the position among inline buffers.
  return buffers
    .map((b, index) => ({ b: obj(b, `$.buffers[${index}]`), index }))
    .filter(({ b }) => b.storage === "inline")
    .map(({ b, index }) => ({ index, size: nonNegative(b.byteLength, `$.buffers[${index}].byteLength`, "byteLength") }));
}

/**
 * Decodes a header. `blobs` are the inline buffers' bytes in order (from the container, or the
 * binary buffers of a comm message); host buffers have no blob.
 */
export function decodeCapture(header: unknown, blobs: readonly Uint8Array[]): Capture {
  const h = obj(header, "$");
  // Every consumer below (and lowering after it) recurses into nested values: bound the depth first.
  const deep = pathDeeperThan(h, MAX_JSON_DEPTH);
  if (deep) fail(deep, `nested deeper than ${MAX_JSON_DEPTH} levels (real captures nest a few dozen)`);
  if (h.format !== FORMAT) fail("$.format", `expected "${FORMAT}"`);
  const version = int(h.version, "$.version");
  if (version !== VERSION) fail("$.version", `version ${version} is not supported (expected ${VERSION})`);
  const producer = Object.fromEntries(Object.entries(obj(h.producer, "$.producer")).map(([k, v]) => [k, str(v, `$.producer.${k}`)]));
  const buffers = arr(h.buffers, "$.buffers").map((b, i) => decodeBufferInfo(b, `$.buffers[${i}]`));
  const bufferBytes: (Uint8Array | null)[] = [];
  let next = 0;
  for (const [i, b] of buffers.entries()) {
    if (b.storage === "host") {
      bufferBytes.push(null);
      continue;
    }
    const blob = blobs[next++];
    if (!blob) fail(`$.buffers[${i}]`, "inline buffer has no bytes");
    if (blob.byteLength !== b.byteLength) fail(`$.buffers[${i}]`, `byteLength ${b.byteLength} but ${blob.byteLength} bytes were sent`);
    bufferBytes.push(blob);
  }
  if (next !== blobs.length) fail("$.buffers", `${next} inline buffers but ${blobs.length} were sent`);
  const files = arr(h.files ?? [], "$.files").map((f, i) => str(f, `$.files[${i}]`));
  const decoder = new JaxprDecoder(files, buffers);
  const jaxpr = decoder.jaxpr(h.jaxpr, "$.jaxpr");
  const model = decodeModel(h.model, jaxpr);
  return { version, producer, model, buffers, bufferBytes, jaxpr };
}

function decodeBufferInfo(v: unknown, path: string): BufferInfo {
  const b = obj(v, path);
  const shape = arr(b.shape, `${path}.shape`).map((d, i) => nonNegative(d, `${path}.shape[${i}]`, "dimension"));
  checkShapeBounds(shape, `${path}.shape`);
  const storage = b.storage;
  if (storage !== "inline" && storage !== "host") fail(`${path}.storage`, `expected "inline" or "host"`);
  const dt = dtype(b.dtype, `${path}.dtype`);
  const byteLength = int(b.byteLength, `${path}.byteLength`);
  // The converter trusts dtype and shape when it writes the initializer: the size must agree.
  const expected = shape.reduce((n, d) => n * d, dtypeByteSize(dt));
  if (byteLength !== expected) fail(`${path}.byteLength`, `byteLength ${byteLength} does not fit ${dt}[${shape.join(",")}] (${expected} bytes)`);
  return { dtype: dt, shape, byteLength, storage: storage as "inline" | "host", ...(b.name !== undefined ? { name: str(b.name, `${path}.name`) } : {}) };
}

function decodeModel(v: unknown, jaxpr: Jaxpr): ModelInfo {
  const m = obj(v, "$.model");
  const names = (key: string, count: number): string[] => {
    const list = arr(m[key], `$.model.${key}`).map((n, i) => str(n, `$.model.${key}[${i}]`));
    if (list.length !== count) fail(`$.model.${key}`, `${list.length} names for ${count} ${key}`);
    if (new Set(list).size !== list.length) fail(`$.model.${key}`, "names must be unique");
    return list;
  };
  const indices = (key: string, count: number): number[] | undefined => {
    if (m[key] === undefined) return undefined;
    const list = arr(m[key], `$.model.${key}`).map((n, i) => int(n, `$.model.${key}[${i}]`));
    list.forEach((n, i) => {
      if (n < 0 || n >= count) fail(`$.model.${key}[${i}]`, `index ${n} is out of range for ${count} values`);
    });
    if (new Set(list).size !== list.length) fail(`$.model.${key}`, "indices must be unique");
    return list;
  };
  const nchwInputs = indices("nchwInputs", jaxpr.invars.length);
  const nchwOutputs = indices("nchwOutputs", jaxpr.outvars.length);
  return {
    name: str(m.name, "$.model.name"),
    opset: m.opset === undefined || m.opset === null ? undefined : int(m.opset, "$.model.opset"),
    inputs: names("inputs", jaxpr.invars.length),
    outputs: names("outputs", jaxpr.outvars.length),
    ...(nchwInputs ? { nchwInputs } : {}),
    ...(nchwOutputs ? { nchwOutputs } : {}),
  };
}

class JaxprDecoder {
  constructor(
    private readonly files: readonly string[],
    private readonly buffers: readonly BufferInfo[],
  ) {}

  /** Symbolic dim texts already parsed (one program repeats a handful of them everywhere). */
  private readonly parsedDims = new Set<string>();

  jaxpr(v: unknown, path: string): Jaxpr {
    const j = obj(v, path);
    // Closed jaxprs do not see outer vars: each has its own scope.
    const scope = new Map<number, Var>();
    const define = (x: unknown, p: string): Var => {
      const decoded = this.var(x, p);
      if (scope.has(decoded.id)) fail(`${p}.id`, `var ${decoded.id} is defined twice`);
      scope.set(decoded.id, decoded);
      return decoded;
    };
    const constvars = arr(j.constvars, `${path}.constvars`).map((c, i): ConstVar => {
      const p = `${path}.constvars[${i}]`;
      const v = define(c, p);
      return { ...v, buffer: this.bufferRef(obj(c, p).buffer, `${p}.buffer`, v.aval) };
    });
    const invars = arr(j.invars, `${path}.invars`).map((x, i) => define(x, `${path}.invars[${i}]`));
    const eqns = arr(j.eqns, `${path}.eqns`).map((e, i) => {
      const p = `${path}.eqns[${i}]`;
      const eq = obj(e, p);
      const prim = str(eq.prim, `${p}.prim`);
      const inputs = arr(eq.in, `${p}.in`).map((a, k) => this.atom(a, `${p}.in[${k}]`, scope));
      const params = this.params(prim, eq.params ?? {}, `${p}.params`);
      const outputs = arr(eq.out, `${p}.out`).map((x, k) => define(x, `${p}.out[${k}]`));
      const eqn: Eqn = {
        prim,
        inputs,
        outputs,
        params,
        scope: arr(eq.scope ?? [], `${p}.scope`).map((s, k) => str(s, `${p}.scope[${k}]`)),
        ...(eq.src !== undefined ? { src: this.source(eq.src, `${p}.src`) } : {}),
        ...(eq.lib !== undefined ? { lib: this.source(eq.lib, `${p}.lib`) } : {}),
        ...(eq.fn !== undefined ? { fn: this.functionCall(eq.fn, `${p}.fn`) } : {}),
      };
      return eqn;
    });
    const outvars = arr(j.outvars, `${path}.outvars`).map((a, i) => this.atom(a, `${path}.outvars[${i}]`, scope));
    return { invars, constvars, outvars, eqns };
  }

  private functionCall(v: unknown, path: string): FunctionCall {
    const f = obj(v, path);
    const ident = (x: unknown, p: string): string => {
      const s = str(x, p);
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(s)) fail(p, `"${s}" is not a valid ONNX function name or domain`);
      return s;
    };
    return { name: ident(f.name, `${path}.name`), domain: ident(f.domain, `${path}.domain`) };
  }

  private var(v: unknown, path: string): Var {
    const x = obj(v, path);
    return { id: nonNegative(x.id, `${path}.id`, "var id"), aval: this.aval(x.aval, `${path}.aval`), ...(x.drop === true ? { drop: true } : {}) };
  }

  private aval(v: unknown, path: string): Aval {
    const a = obj(v, path);
    const shape = arr(a.shape, `${path}.shape`).map((d, i): AvalDim =>
      typeof d === "string" ? this.dimText(d, `${path}.shape[${i}]`) : nonNegative(d, `${path}.shape[${i}]`, "dimension"),
    );
    checkShapeBounds(shape, `${path}.shape`);
    return { shape, dtype: dtype(a.dtype, `${path}.dtype`), ...(a.weak === true ? { weak: true } : {}) };
  }

  private atom(v: unknown, path: string, scope: ReadonlyMap<number, Var>): Atom {
    const a = obj(v, path);
    if ("var" in a) {
      const id = int(a.var, `${path}.var`);
      const found = scope.get(id);
      if (!found) fail(`${path}.var`, `var ${id} is used before it is defined`);
      return { kind: "var", var: found as Var };
    }
    if (!("lit" in a)) fail(path, `expected {"var": id} or {"lit": value, "aval": ...}`);
    const aval = this.aval(a.aval, `${path}.aval`);
    const lit = a.lit;
    if (lit !== null && typeof lit === "object" && "$buffer" in (lit as Json)) {
      return { kind: "literal", aval, buffer: this.bufferRef((lit as Json).$buffer, `${path}.lit.$buffer`, aval) };
    }
    const value = this.scalar(lit, `${path}.lit`);
    // A bare integer past 2^53 has lost its exact value in JSON: int literals that big are {$int}.
    if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && !isFloat(aval.dtype) && !aval.dtype.startsWith("complex")) {
      fail(`${path}.lit`, `integer literal ${value} is beyond 2^53; write it as {"$int": "<decimal>"}`);
    }
    return { kind: "literal", aval, value };
  }

  private scalar(v: unknown, path: string): ScalarValue {
    if (typeof v === "number" || typeof v === "boolean") return v;
    const o = obj(v, path);
    if ("$float" in o) return floatValue(o.$float, `${path}.$float`);
    if ("$int" in o) return { bigint: str(o.$int, `${path}.$int`) };
    return fail(path, "expected a number, a boolean, {$float} or {$int}");
  }

  private source(v: unknown, path: string): SourceLoc {
    const s = obj(v, path);
    const fileIndex = int(s.file, `${path}.file`);
    const file = this.files[fileIndex];
    if (file === undefined) fail(`${path}.file`, `no file ${fileIndex} in $.files`);
    return {
      file: file as string,
      line: int(s.line, `${path}.line`),
      ...(s.col !== undefined ? { col: int(s.col, `${path}.col`) } : {}),
      ...(s.fn !== undefined ? { fn: str(s.fn, `${path}.fn`) } : {}),
    };
  }

  /** A symbolic dimension: text the converter's dim parser reads (lowering parses it again). */
  private dimText(text: string, path: string): string {
    if (this.parsedDims.has(text)) return text;
    if (text.length > MAX_DIM_TEXT) fail(path, `dimension expression of ${text.length} characters (at most ${MAX_DIM_TEXT})`);
    try {
      parseDim(text);
    } catch (e) {
      if (e instanceof DimParseError) fail(path, e.message);
      throw e;
    }
    this.parsedDims.add(text);
    return text;
  }

  /** A buffer index; with `aval` (constvars, array literals) the buffer must hold that type. */
  private bufferRef(v: unknown, path: string, aval?: Aval): number {
    const i = int(v, path);
    if (i < 0 || i >= this.buffers.length) fail(path, `no buffer ${i} (the capture has ${this.buffers.length})`);
    const b = this.buffers[i];
    if (aval && (aval.dtype !== b.dtype || aval.shape.length !== b.shape.length || aval.shape.some((d, k) => d !== b.shape[k]))) {
      fail(path, `buffer ${i} is ${b.dtype}[${b.shape.join(",")}] but the value is ${aval.dtype}[${aval.shape.join(",")}]`);
    }
    return i;
  }

  private params(prim: string, v: unknown, path: string): Params {
    const p = obj(v, path);
    return new Params(prim, Object.fromEntries(Object.entries(p).map(([k, x]) => [k, this.param(x, `${path}.${k}`)])));
  }

  param(v: unknown, path: string): ParamValue {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return Number.isInteger(v) ? v : { kind: "float", value: v };
    if (Array.isArray(v)) return v.map((x, i) => this.param(x, `${path}[${i}]`));
    const o = obj(v, path);
    const tag = Object.keys(o).find((k) => k.startsWith("$"));
    switch (tag) {
      case "$float": return { kind: "float", value: floatValue(o.$float, `${path}.$float`) };
      case "$int": return { kind: "bigint", text: str(o.$int, `${path}.$int`) };
      case "$dtype": return { kind: "dtype", dtype: dtype(o.$dtype, `${path}.$dtype`) };
      case "$jaxpr": return { kind: "jaxpr", jaxpr: this.jaxpr(o.$jaxpr, `${path}.$jaxpr`) };
      case "$enum": return { kind: "enum", type: str(o.$enum, `${path}.$enum`), name: str(o.name, `${path}.name`) };
      case "$dim": return { kind: "dim", expr: this.dimText(str(o.$dim, `${path}.$dim`), `${path}.$dim`) };
      case "$buffer": return { kind: "buffer", index: this.bufferRef(o.$buffer, `${path}.$buffer`) };
      case "$opaque": return { kind: "opaque", type: str(o.$opaque, `${path}.$opaque`) };
      case "$struct": {
        const fields = Object.fromEntries(
          Object.entries(o).filter(([k]) => k !== "$struct").map(([k, x]) => [k, this.param(x, `${path}.${k}`)]),
        );
        return { kind: "struct", type: str(o.$struct, `${path}.$struct`), fields };
      }
      case "$dict": {
        const d = obj(o.$dict, `${path}.$dict`);
        return { kind: "dict", entries: Object.fromEntries(Object.entries(d).map(([k, x]) => [k, this.param(x, `${path}.$dict.${k}`)])) };
      }
      default:
        return fail(path, `unknown param encoding (keys: ${Object.keys(o).join(", ")})`);
    }
  }
}

function floatValue(v: unknown, path: string): number {
  if (typeof v === "number") return v;
  switch (v) {
    case "nan": return NaN;
    case "inf": return Infinity;
    case "-inf": return -Infinity;
    case "-0": return -0;
    default: return fail(path, `expected a number, "nan", "inf", "-inf" or "-0"`);
  }
}
