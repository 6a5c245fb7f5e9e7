/** The engine's Web Worker entry: one per page, long-lived (each new worker recompiles ORT's wasm). */
import { errorReport } from "../../core";
import { Engine } from "./engine";
import { ortRunner } from "./ort-runner";
import type { EngineReply, EngineRequest } from "./protocol";

const engine = new Engine(ortRunner);
const scope = self as unknown as { onmessage: ((ev: MessageEvent) => void) | null; postMessage(message: unknown, transfer?: Transferable[]): void };

/** Big results move to the page instead of being copied. */
function transferables(result: unknown): Transferable[] {
  const out: Transferable[] = [];
  const visit = (v: unknown): void => {
    if (v instanceof Uint8Array) {
      if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer) out.push(v.buffer);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  visit(result);
  return [...new Set(out)];
}

scope.onmessage = (ev: MessageEvent<{ id: number; request: EngineRequest }>) => {
  const { id, request } = ev.data;
  engine.request(request).then(
    (result) => scope.postMessage({ id, ok: true, result } satisfies EngineReply, transferables(result)),
    (e: unknown) => scope.postMessage({ id, ok: false, error: errorReport(e) } satisfies EngineReply),
  );
};
