/** The page's side of the engine worker: request/response by id over postMessage. */
import type { ErrorReport } from "../../core";
import type { EngineReplies, EngineReply, EngineRequest } from "./protocol";

export class EngineRequestError extends Error {
  override name = "EngineRequestError";
  constructor(readonly report: ErrorReport) {
    super(report.message);
  }
}

export class EngineClient {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent<EngineReply>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      this.pending.delete(ev.data.id);
      if (ev.data.ok) p.resolve(ev.data.result);
      else p.reject(new EngineRequestError(ev.data.error));
    };
    worker.onerror = (ev: ErrorEvent) => {
      const error = new EngineRequestError({ kind: "internal", message: `the engine worker failed: ${ev.message}` });
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  request<T extends EngineRequest["type"]>(request: EngineRequest & { type: T }, transfer: Transferable[] = []): Promise<EngineReplies[T]> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, request }, transfer);
    });
  }
}

let shared: EngineClient | null = null;

/** The one engine worker of the page, started on first use. */
export function sharedEngine(createWorker: () => Worker): EngineClient {
  shared ??= new EngineClient(createWorker());
  return shared;
}
