/**
 * The engine's logic, free of workers and of onnxruntime (both are injected), so the same code
 * runs in the browser worker and in jest: keep a capture per session, convert it with the
 * options the widget asks for, and assemble the full model once the kernel has sent the weights.
 */
import { chunkTable, concatBytes, convertCapture, decodeCaptureBytes, joinChunks, serializeModelStructure, type Capture, type Chunk, type HostPayload } from "../../core";
import { defaultRegistry } from "../../../plugins";
import type { Converted, EngineReplies, EngineRequest, TensorBytes, WeightRef, WidgetConvertOptions } from "./protocol";

/** Runs an ONNX model on feeds (onnxruntime-web in the worker). */
export interface ModelRunner {
  run(model: Uint8Array, modelKey: string, feeds: readonly TensorBytes[]): Promise<{ outputs: TensorBytes[]; milliseconds: number; sessionMilliseconds: number }>;
}

export class EngineError extends Error {
  override name = "EngineError";
}

/** The key of a host weight as written into the model: the buffer, and its transpose if any. */
export function weightKey(ref: { readonly buffer: number; readonly perm?: readonly number[] }): string {
  return ref.perm ? `${ref.buffer}:${ref.perm.join(",")}` : `${ref.buffer}`;
}

interface Session {
  readonly capture: Capture;
  readonly weights: Map<string, Uint8Array>;
  chunks: Chunk[] | null;
  /** Bumped on every conversion: the runner caches one onnxruntime session per model. */
  generation: number;
}

export class Engine {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly runner: ModelRunner) {}

  /** One request, as the worker receives it; the reply's type follows the request's. */
  request<T extends EngineRequest["type"]>(request: EngineRequest & { readonly type: T }): Promise<EngineReplies[T]> {
    return this.handle(request) as Promise<EngineReplies[T]>;
  }

  private async handle(request: EngineRequest): Promise<EngineReplies[EngineRequest["type"]]> {
    switch (request.type) {
      case "load": {
        const capture = decodeCaptureBytes(request.capture);
        this.sessions.set(request.session, { capture, weights: new Map(), chunks: null, generation: 0 });
        return { buffers: capture.buffers.length };
      }
      case "convert":
        return this.convert(request.session, request.options);
      case "weights": {
        const s = this.session(request.session);
        for (const { ref, bytes } of request.weights) s.weights.set(weightKey(ref), bytes);
        return { missing: this.missing(s).length };
      }
      case "assemble":
        return { model: this.assemble(this.session(request.session)) };
      case "run": {
        const s = this.session(request.session);
        const model = this.assemble(s);
        return this.runner.run(model, `${request.session}#${s.generation}`, request.feeds);
      }
      case "drop":
        this.sessions.delete(request.session);
        return {};
    }
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new EngineError(`no capture loaded for widget ${id}`);
    return s;
  }

  private convert(id: string, options: WidgetConvertOptions): Converted {
    const s = this.session(id);
    const start = performance.now();
    const result = convertCapture(s.capture, {
      registry: defaultRegistry,
      ...(options.opset !== undefined ? { opset: options.opset } : {}),
      ...(options.fusions !== undefined ? { fusions: options.fusions } : {}),
      ...(options.sourceRoot !== undefined ? { sourceRoot: options.sourceRoot } : {}),
      ...(options.modelName !== undefined ? { modelName: options.modelName } : {}),
    });
    s.chunks = result.chunks;
    s.generation += 1;
    const { table, payload } = chunkTable(result.chunks);
    const initializerOf = new Map<string, string>();
    for (const v of result.model.graph.initializers) {
      const d = v.tensor?.data;
      if (d?.kind === "host") initializerOf.set(weightKey(d), v.name);
    }
    const weights = uniqueHostPayloads(result.chunks).map((p) => ({
      buffer: p.buffer,
      byteLength: p.byteLength,
      ...(p.perm ? { perm: p.perm } : {}),
      initializer: initializerOf.get(weightKey(p)) ?? `buffer ${p.buffer}`,
    }));
    const structure = serializeModelStructure(result.model);
    return { structure, table, payload: concatBytes(payload), summary: result.summary, milliseconds: performance.now() - start, weights };
  }

  private missing(s: Session): WeightRef[] {
    return s.chunks ? uniqueHostPayloads(s.chunks).filter((p) => !s.weights.has(weightKey(p))) : [];
  }

  private assemble(s: Session): Uint8Array {
    if (!s.chunks) throw new EngineError("nothing converted yet");
    const missing = this.missing(s);
    if (missing.length) throw new EngineError(`the kernel has not sent ${missing.length} weight(s) yet (buffers ${missing.map((m) => m.buffer).join(", ")})`);
    return joinChunks(s.chunks, (p) => s.weights.get(weightKey(p))!);
  }
}

function uniqueHostPayloads(chunks: readonly Chunk[]): HostPayload[] {
  const seen = new Map<string, HostPayload>();
  for (const c of chunks) if (!(c instanceof Uint8Array) && !seen.has(weightKey(c))) seen.set(weightKey(c), c);
  return [...seen.values()];
}
