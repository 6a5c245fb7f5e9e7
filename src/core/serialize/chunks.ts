/**
 * Protobuf framing for the parts protobufjs should not touch: tensor payloads. A serialized model
 * is a list of chunks: byte arrays, and placeholders for weights the host holds. The host fills
 * the placeholders from where the bytes already are (numpy in Python, buffers in the browser),
 * so weights are never copied into the message (TOOLCHAIN.md: encode().finish() copies them twice).
 */
import type { DType } from "../ir/dtype";

export interface HostPayload {
  readonly kind: "host";
  /** Capture buffer index. */
  readonly buffer: number;
  readonly byteLength: number;
  readonly dtype: DType;
  /** Write the buffer transposed by this permutation (numpy `transpose(perm)`). */
  readonly perm?: readonly number[];
}

export type Chunk = Uint8Array | HostPayload;

export const chunkLength = (c: Chunk): number => (c instanceof Uint8Array ? c.byteLength : c.byteLength);

export function totalLength(chunks: readonly Chunk[]): number {
  return chunks.reduce((n, c) => n + chunkLength(c), 0);
}

export function varint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint of ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

const WIRE_LENGTH_DELIMITED = 2;

/** Tag + length of a length-delimited field whose body is `length` bytes. */
export function fieldHeader(fieldNumber: number, length: number): Uint8Array {
  const tag = varint(fieldNumber * 8 + WIRE_LENGTH_DELIMITED);
  const len = varint(length);
  const out = new Uint8Array(tag.byteLength + len.byteLength);
  out.set(tag);
  out.set(len, tag.byteLength);
  return out;
}

/** A length-delimited field whose body is `body`, as chunks (the body is not copied). */
export function field(fieldNumber: number, body: readonly Chunk[]): Chunk[] {
  return [fieldHeader(fieldNumber, totalLength(body)), ...body];
}

/** Merges adjacent small byte chunks into one (fewer, larger writes); payload views are kept. */
export function coalesce(chunks: readonly Chunk[], maxMerge = 1 << 16): Chunk[] {
  const out: Chunk[] = [];
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  const flush = (): void => {
    if (!pending.length) return;
    if (pending.length === 1) out.push(pending[0]);
    else {
      const merged = new Uint8Array(pendingLength);
      let at = 0;
      for (const p of pending) {
        merged.set(p, at);
        at += p.byteLength;
      }
      out.push(merged);
    }
    pending = [];
    pendingLength = 0;
  };
  for (const c of chunks) {
    if (c instanceof Uint8Array && c.byteLength <= maxMerge) {
      pending.push(c);
      pendingLength += c.byteLength;
    } else {
      flush();
      out.push(c);
    }
  }
  flush();
  return out;
}

/** Joins chunks into one array; every placeholder must be filled by `resolve`. */
export function joinChunks(chunks: readonly Chunk[], resolve: (p: HostPayload) => Uint8Array): Uint8Array {
  const out = new Uint8Array(totalLength(chunks));
  let at = 0;
  for (const c of chunks) {
    const bytes = c instanceof Uint8Array ? c : resolve(c);
    if (bytes.byteLength !== chunkLength(c)) throw new Error(`payload for buffer ${(c as HostPayload).buffer} has ${bytes.byteLength} bytes, expected ${chunkLength(c)}`);
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}

/** Where a chunk's bytes are: a slice of a payload, or a buffer the host holds. */
export type ChunkRef = { readonly bytes: readonly [number, number] } | { readonly buffer: number; readonly byteLength: number; readonly perm?: readonly number[] };

/**
 * The chunk table hosts exchange (the Node converter process with Python, the widget with its
 * kernel): byte chunks as [offset, length] into one payload, host chunks as placeholders.
 */
export function chunkTable(chunks: readonly Chunk[]): { table: ChunkRef[]; payload: Uint8Array[] } {
  const table: ChunkRef[] = [];
  const payload: Uint8Array[] = [];
  let offset = 0;
  for (const c of chunks) {
    if (c instanceof Uint8Array) {
      table.push({ bytes: [offset, c.byteLength] });
      payload.push(c);
      offset += c.byteLength;
    } else {
      table.push({ buffer: c.buffer, byteLength: c.byteLength, ...(c.perm ? { perm: c.perm } : {}) });
    }
  }
  return { table, payload };
}
