/**
 * The converter process's request handling, host-independent of how frames arrive:
 *   convert:   capture container -> chunk table + the chunks' bytes (host weights as placeholders)
 *   roundtrip: capture container -> the same capture decoded and re-encoded (interchange tests)
 *   ping:      liveness and versions
 */
import { chunkTable, convertCapture, decodeCaptureBytes, encodeCaptureBytes, errorReport, PRODUCER_VERSION } from "../core";
import { defaultRegistry } from "../../plugins";

export interface Reply {
  readonly json: Record<string, unknown>;
  readonly payload: Uint8Array[];
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
          ...(typeof request.fusions === "boolean" ? { fusions: request.fusions } : {}),
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
    return { json: { id, ok: false, error: errorReport(e) }, payload: [] };
  }
}
