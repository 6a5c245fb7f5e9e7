/**
 * Asks for layouts: in a Web Worker when the host can create one, else on this thread. Only the
 * newest request per client matters to the viewer, but every request gets its own answer.
 */
import { layoutGraph } from "./compound";
import type { LayoutRequest, LayoutResult } from "./types";

export interface LayoutMessage {
  readonly id: number;
  readonly request: LayoutRequest;
}

export type LayoutReply = { readonly id: number; readonly result: LayoutResult } | { readonly id: number; readonly error: string };

/** What the client needs of a Worker (so tests can hand it a fake). */
export interface LayoutWorkerLike {
  postMessage(message: LayoutMessage, transfer: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<LayoutReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export class LayoutError extends Error {
  override readonly name = "LayoutError";
}

export class LayoutClient {
  private worker: LayoutWorkerLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { request: LayoutRequest; resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();

  constructor(createWorker?: () => LayoutWorkerLike) {
    if (!createWorker) return;
    try {
      this.worker = createWorker();
    } catch {
      this.worker = null; // e.g. a page whose CSP forbids workers: lay out on this thread
      return;
    }
    this.worker.onmessage = (event) => {
      const reply = event.data;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ("error" in reply) waiting.reject(new LayoutError(reply.error));
      else waiting.resolve(reply.result);
    };
    this.worker.onerror = (event) => {
      // A worker that cannot start (bad URL, script error): answer what waits here, and from now on.
      void event;
      this.worker?.terminate();
      this.worker = null;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) this.layout(p.request).then(p.resolve, p.reject);
    };
  }

  get usesWorker(): boolean {
    return this.worker !== null;
  }

  layout(request: LayoutRequest): Promise<LayoutResult> {
    if (!this.worker) {
      try {
        return Promise.resolve(layoutGraph(request));
      } catch (e) {
        return Promise.reject(e instanceof Error ? new LayoutError(e.message) : new LayoutError(String(e)));
      }
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { request, resolve, reject });
      // The request is copied, not transferred (a few hundred KB at 10k nodes), so it can be redone here if the worker dies.
      this.worker!.postMessage({ id, request }, []);
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new LayoutError("layout cancelled: the viewer was closed"));
    this.pending.clear();
  }
}
