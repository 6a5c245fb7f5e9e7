/**
 * Encodes a decoded Capture back to interchange v1 (header JSON + inline buffers). Decoding then
 * encoding is lossless, which the round-trip tests check from Python against the original jaxpr.
 */
import type { Atom, Capture, Eqn, Jaxpr, ScalarValue, SourceLoc, Var } from "./capture";
import { writeContainer } from "./container";
import { FORMAT } from "./decode";
import type { ParamValue } from "./params";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function encodeCapture(capture: Capture): { header: Json; blobs: Uint8Array[] } {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const source = (s: SourceLoc): Json => {
    let i = fileIndex.get(s.file);
    if (i === undefined) {
      i = files.length;
      files.push(s.file);
      fileIndex.set(s.file, i);
    }
    return { file: i, line: s.line, ...(s.col !== undefined ? { col: s.col } : {}), ...(s.fn !== undefined ? { fn: s.fn } : {}) };
  };
  const aval = (v: Var): Json => ({ shape: [...v.aval.shape], dtype: v.aval.dtype, ...(v.aval.weak ? { weak: true } : {}) });
  const varJson = (v: Var): Json => ({ id: v.id, aval: aval(v), ...(v.drop ? { drop: true } : {}) });
  const atom = (a: Atom): Json => {
    if (a.kind === "var") return { var: a.var.id };
    const av = { shape: [...a.aval.shape], dtype: a.aval.dtype, ...(a.aval.weak ? { weak: true } : {}) };
    return "buffer" in a ? { lit: { $buffer: a.buffer }, aval: av } : { lit: scalar(a.value), aval: av };
  };
  const eqn = (e: Eqn): Json => ({
    prim: e.prim,
    in: e.inputs.map(atom),
    out: e.outputs.map(varJson),
    params: Object.fromEntries(e.params.names().map((k) => [k, param(e.params.values[k])])),
    scope: [...e.scope],
    ...(e.src ? { src: source(e.src) } : {}),
    ...(e.lib ? { lib: source(e.lib) } : {}),
    ...(e.fn ? { fn: { name: e.fn.name, domain: e.fn.domain } } : {}),
  });
  const jaxpr = (j: Jaxpr): Json => ({
    invars: j.invars.map(varJson),
    constvars: j.constvars.map((c) => ({ ...(varJson(c) as { [k: string]: Json }), buffer: c.buffer })),
    outvars: j.outvars.map(atom),
    eqns: j.eqns.map(eqn),
  });
  const param = (v: ParamValue): Json => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return v;
    if (Array.isArray(v)) return v.map(param);
    const t = v as Exclude<ParamValue, null | boolean | number | string | readonly ParamValue[]>;
    switch (t.kind) {
      case "float": return floatJson(t.value);
      case "bigint": return { $int: t.text };
      case "dtype": return { $dtype: t.dtype };
      case "jaxpr": return { $jaxpr: jaxpr(t.jaxpr) };
      case "enum": return { $enum: t.type, name: t.name };
      case "struct": return { $struct: t.type, ...Object.fromEntries(Object.entries(t.fields).map(([k, x]) => [k, param(x)])) };
      case "dim": return { $dim: t.expr };
      case "buffer": return { $buffer: t.index };
      case "opaque": return { $opaque: t.type };
      case "dict": return { $dict: Object.fromEntries(Object.entries(t.entries).map(([k, x]) => [k, param(x)])) };
    }
  };
  const body = jaxpr(capture.jaxpr);
  const header: Json = {
    format: FORMAT,
    version: capture.version,
    producer: { ...capture.producer },
    model: {
      name: capture.model.name,
      ...(capture.model.opset !== undefined ? { opset: capture.model.opset } : {}),
      inputs: [...capture.model.inputs],
      outputs: [...capture.model.outputs],
      ...(capture.model.nchwInputs ? { nchwInputs: [...capture.model.nchwInputs] } : {}),
      ...(capture.model.nchwOutputs ? { nchwOutputs: [...capture.model.nchwOutputs] } : {}),
    },
    files,
    buffers: capture.buffers.map((b) => ({ dtype: b.dtype, shape: [...b.shape], byteLength: b.byteLength, storage: b.storage, ...(b.name !== undefined ? { name: b.name } : {}) })),
    jaxpr: body,
  };
  const blobs = capture.bufferBytes.filter((b): b is Uint8Array => b !== null);
  return { header, blobs };
}

export function encodeCaptureBytes(capture: Capture): Uint8Array[] {
  const { header, blobs } = encodeCapture(capture);
  return writeContainer(header, blobs);
}

/** Non-integral finite floats are bare JSON numbers; integral and non-finite ones are tagged. */
function floatJson(x: number): Json {
  if (Number.isNaN(x)) return { $float: "nan" };
  if (!Number.isFinite(x)) return { $float: x > 0 ? "inf" : "-inf" };
  // JSON.stringify(-0) is "0": the sign survives only as text.
  if (Object.is(x, -0)) return { $float: "-0" };
  return Number.isInteger(x) ? { $float: x } : x;
}

function scalar(v: ScalarValue): Json {
  if (typeof v === "boolean") return v;
  // Bare only where a JSON integer is exact for every reader: a float literal of 2^60 is tagged.
  if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0) && (!Number.isInteger(v) || Number.isSafeInteger(v)) ? v : floatJson(v);
  return { $int: v.bigint };
}
