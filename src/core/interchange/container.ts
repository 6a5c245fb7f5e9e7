/**
 * The capture container: magic "J2OCAP", u16 version, u32 header length (little-endian), the
 * UTF-8 JSON header, then the inline buffers in buffer-table order, each starting at a 64-byte
 * aligned offset from the container's start. Over a widget comm the header is the message and
 * the buffers travel as the comm's binary buffers instead.
 */
export const MAGIC = "J2OCAP";
export const CONTAINER_VERSION = 1;
export const ALIGN = 64;
const PREFIX = 12;

export class ContainerError extends Error {
  // Hosts classify errors by name (src/node/service.ts: "invalid_capture"); Error's own is "Error".
  override name = "ContainerError";
}

export interface RawContainer {
  readonly version: number;
  readonly header: unknown;
  /** The inline buffers' bytes, in order (views into the container, no copies). */
  readonly blobs: readonly Uint8Array[];
}

export const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Splits a container into its JSON header and buffer views. `inlineSizes` reads the header: the
 * inline buffers in order, each with its index in the buffer table (for error messages) and size.
 */
export function readContainer(bytes: Uint8Array, inlineSizes: (header: unknown) => readonly { index: number; size: number }[]): RawContainer {
  if (bytes.byteLength < PREFIX || String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC) {
    throw new ContainerError("not a jax2onnx-lab capture (missing J2OCAP magic)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(6, true);
  if (version !== CONTAINER_VERSION) {
    throw new ContainerError(`capture version ${version} is not supported (this converter reads version ${CONTAINER_VERSION}); re-capture with a matching jax2onnx_lab`);
  }
  const headerLength = view.getUint32(8, true);
  if (PREFIX + headerLength > bytes.byteLength) throw new ContainerError("capture is truncated inside its header");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + headerLength)));
  } catch (e) {
    throw new ContainerError(`capture header is not valid JSON: ${(e as Error).message}`);
  }
  const blobs: Uint8Array[] = [];
  let at = alignUp(PREFIX + headerLength);
  for (const { index, size } of inlineSizes(header)) {
    if (at + size > bytes.byteLength) throw new ContainerError(`capture is truncated in buffer ${index} (needs bytes ${at}..${at + size}, the container has ${bytes.byteLength})`);
    blobs.push(bytes.subarray(at, at + size));
    at = alignUp(at + size);
  }
  return { version, header, blobs };
}

/** Writes a container as a list of parts (no copy of the buffers). */
export function writeContainer(header: unknown, blobs: readonly Uint8Array[]): Uint8Array[] {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new Uint8Array(PREFIX);
  prefix.set([...MAGIC].map((c) => c.charCodeAt(0)));
  const view = new DataView(prefix.buffer);
  view.setUint16(6, CONTAINER_VERSION, true);
  view.setUint32(8, json.byteLength, true);
  const parts: Uint8Array[] = [prefix, json];
  let at = PREFIX + json.byteLength;
  for (const blob of blobs) {
    parts.push(new Uint8Array(alignUp(at) - at));
    at = alignUp(at);
    parts.push(blob);
    at += blob.byteLength;
  }
  return parts;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
