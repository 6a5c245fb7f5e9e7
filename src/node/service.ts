/**
 * The converter process's request handling, host-independent of how frames arrive:
 *   convert:   capture container -> chunk table + the chunks' bytes (host weights as placeholders)
 *   roundtrip: capture container -> the same capture decoded and re-encoded (interchange tests)
 *   ping:      liveness and versions
 */
import { ConversionError, convertCapture, decodeCaptureBytes, encodeCaptureBytes, PRODUCER_VERSION, type Chunk } from "../core";
import { defaultRegistry } from "../../plugins";

export interface Reply {
  readonly json: Record<string, unknown>;
  readonly payload: Uint8Array[];
}

/** Where a chunk's bytes are: a slice of the reply's payload, or a buffer the host holds. */
export type ChunkRef = { readonly bytes: readonly [number, number] } | { readonly buffer: number; readonly byteLength: number; readonly perm?: readonly number[] };

/** The chunk table: byte chunks as [offset, length] into the payload, host chunks as placeholders. */
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

export function errorJson(e: unknown): Record<string, unknown> {
  if (e instanceof ConversionError) return { kind: e.kind, message: e.message, sites: e.sites };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: err.name === "CaptureDecodeError" || err.name === "ContainerError" ? "invalid_capture" : "internal", message: err.message, stack: err.stack };
}

function isExternalData(v: unknown): v is { location: string; above: number; minBytes?: number } {
  const o = v as { location?: unknown; above?: unknown } | null;
  return typeof o === "object" && o !== null && typeof o.location === "string" && typeof o.above === "number";
}

export function handleRequest(request: Record<string, unknown>, payload: Uint8Array): Reply {
  const id = request.id ?? null;
  try {
    switch (request.op) {
      case "ping":
        return { json: { id, ok: true, version: PRODUCER_VERSION }, payload: [] };
      case "convert": {
        const capture = decodeCaptureBytes(payload);
        const result = convertCapture(capture, {
          registry: defaultRegistry,
          ...(typeof request.opset === "number" ? { opset: request.opset } : {}),
          ...(typeof request.modelName === "string" ? { modelName: request.modelName } : {}),
          ...(typeof request.sourceRoot === "string" ? { sourceRoot: request.sourceRoot } : {}),
          ...(request.inlineFunctions === true ? { inlineFunctions: true } : {}),
          ...(isExternalData(request.externalData) ? { externalData: request.externalData } : {}),
        });
        // One payload for both files: the data file's byte chunks follow the model's.
        const { table, payload: bytes } = chunkTable([...result.chunks, ...(result.dataChunks ?? [])]);
        const chunks = table.slice(0, result.chunks.length);
        const data = result.dataChunks ? { location: result.summary.externalData, chunks: table.slice(result.chunks.length) } : null;
        return { json: { id, ok: true, chunks, data, summary: result.summary }, payload: bytes };
      }
      case "roundtrip":
        return { json: { id, ok: true }, payload: encodeCaptureBytes(decodeCaptureBytes(payload)) };
      default:
        return { json: { id, ok: false, error: { kind: "bad_request", message: `unknown op ${String(request.op)}` } }, payload: [] };
    }
  } catch (e) {
    return { json: { id, ok: false, error: errorJson(e) }, payload: [] };
  }
}
