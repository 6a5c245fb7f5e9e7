/**
 * What one graph widget does, apart from the DOM: convert the kernel's capture in the engine
 * worker, show the graph, fetch the weights parity needs from the kernel, run parity, save and
 * download. The ipywidget view (graph-widget.ts) wires it to the model and to the panels; tests
 * drive it with a hand-written port and an in-process engine.
 */
import { errorReport, type ChunkRef, type ConversionSummary, type ErrorReport } from "../core";
import type { Converted, EngineReplies, EngineRequest, TensorBytes, WeightRef, WidgetConvertOptions } from "./engine/protocol";
import { compareOutputs, type ParityResult, type Tolerances } from "./parity";
import type { TensorStats } from "./view-model";

/** The widget model as the session sees it (an ipywidgets model in the notebook). */
export interface ModelPort {
  get(name: string): unknown;
  /** Sets traits and syncs them to the kernel. */
  set(values: Record<string, unknown>): void;
  send(content: Record<string, unknown>, buffers?: ArrayBuffer[] | ArrayBufferView[]): void;
}

/** The engine worker (engine-client.ts) or, in tests, an Engine called directly. */
export interface EngineLike {
  request<T extends EngineRequest["type"]>(request: EngineRequest & { type: T }, transfer?: Transferable[]): Promise<EngineReplies[T]>;
}

/** Statistics of weights the kernel keeps, as the kernel computes them (GraphWidget.tensor_stats). */
export type { TensorStats };

/** What the session shows; the view implements it with DOM panels and the graph viewer. */
export interface Display {
  graph(onnx: Uint8Array, tensorStats: Readonly<Record<string, TensorStats>>): Promise<void>;
  error(text: string | null): void;
  summary(summary: ConversionSummary | null): void;
  parity(state: ParityState): void;
  status(text: string): void;
}

export type ParityState =
  | { readonly kind: "off"; readonly reason: string }
  | { readonly kind: "running"; readonly step: string }
  | { readonly kind: "done"; readonly result: ParityResult };

export interface ParityCase {
  readonly inputs: readonly TensorMeta[];
  readonly outputs: readonly TensorMeta[];
  readonly tolerances: Tolerances;
  readonly dims?: Readonly<Record<string, number>>;
}

interface TensorMeta {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

export interface WidgetConfig extends WidgetConvertOptions {
  readonly parity?: "browser" | "kernel" | "off";
  readonly fileName?: string;
  readonly source?: "file";
  /** Why parity is off, when the kernel could not prepare it. */
  readonly parityReason?: string;
}

export class SessionError extends Error {
  override name = "SessionError";
}

/** Trait bytes arrive as a DataView (ipywidgets binary buffers) or, from tests, a Uint8Array. */
export function traitBytes(v: unknown): Uint8Array | null {
  if (v instanceof Uint8Array) return v.byteLength ? v : null;
  if (v instanceof DataView) return v.byteLength ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null;
  if (v instanceof ArrayBuffer) return v.byteLength ? new Uint8Array(v) : null;
  return null;
}

function tensorsOf(metas: readonly TensorMeta[], data: Uint8Array): TensorBytes[] {
  return metas.map((m) => {
    if (m.offset + m.length > data.byteLength) throw new SessionError(`parity data is truncated at ${m.name}`);
    return { name: m.name, dtype: m.dtype, shape: m.shape, data: data.subarray(m.offset, m.offset + m.length) };
  });
}

export class WidgetSession {
  private converted: Converted | null = null;
  private options: WidgetConvertOptions = {};
  private readonly sentWeights = new Set<string>();
  private weightWaiters: ((reply: { refs: WeightRef[]; buffers: DataView[]; error?: string }) => void)[] = [];
  private loaded = false;

  constructor(
    private readonly model: ModelPort,
    private readonly engine: EngineLike,
    private readonly display: Display,
    readonly id: string,
  ) {}

  get config(): WidgetConfig {
    return (this.model.get("config") ?? {}) as WidgetConfig;
  }

  get conversion(): Converted | null {
    return this.converted;
  }

  /** Shows what the kernel sent: its error, the converted capture, or an ONNX file. */
  async start(): Promise<void> {
    const kernelError = String(this.model.get("error") ?? "");
    this.display.error(kernelError || null);
    const capture = traitBytes(this.model.get("capture"));
    const onnx = traitBytes(this.model.get("onnx"));
    if (capture) {
      await this.engine.request({ type: "load", session: this.id, capture: capture.slice() });
      this.loaded = true;
      const { opset, fusions, sourceRoot, modelName } = this.config;
      await this.convert({ opset, fusions, sourceRoot, modelName }, !kernelError);
    } else if (onnx) {
      this.display.summary(null);
      await this.display.graph(onnx, (this.model.get("tensor_stats") ?? {}) as Record<string, TensorStats>);
      this.display.parity({ kind: "off", reason: "This ONNX file was not converted here, so there are no JAX outputs to compare with." });
    } else if (!kernelError) {
      this.display.error("The kernel sent nothing to show.");
    }
  }

  /** Converts (again) with `options`: the opset or fusions changed in the toolbar. */
  async convert(options: WidgetConvertOptions, withParity = true): Promise<void> {
    if (!this.loaded) throw new SessionError("no capture to convert");
    this.options = clean(options);
    this.display.status("converting…");
    try {
      this.converted = await this.engine.request({ type: "convert", session: this.id, options: this.options });
    } catch (e) {
      const report = reportOf(e);
      this.converted = null;
      this.display.error(report.message);
      this.display.summary(null);
      this.display.parity({ kind: "off", reason: "The model did not convert." });
      this.model.set({ conversion: { ok: false, error: report, options: this.options } });
      this.display.status("conversion failed");
      return;
    }
    const c = this.converted;
    this.display.error(String(this.model.get("error") ?? "") || null);
    this.display.summary(c.summary);
    this.model.set({ conversion: { ok: true, summary: c.summary, options: this.options, milliseconds: c.milliseconds } });
    await this.display.graph(c.structure, this.statsByInitializer(c));
    this.display.status(`opset ${c.summary.opset} · converted in the browser in ${c.milliseconds.toFixed(0)} ms`);
    if (withParity) await this.runParity();
  }

  private statsByInitializer(c: Converted): Record<string, TensorStats> {
    const byBuffer = (this.model.get("tensor_stats") ?? {}) as Record<string, TensorStats>;
    const out: Record<string, TensorStats> = {};
    for (const w of c.weights) if (byBuffer[String(w.buffer)]) out[w.initializer] = byBuffer[String(w.buffer)];
    return out;
  }

  /** A reply to a custom message from the kernel (weights it was asked for). */
  onMessage(content: Record<string, unknown>, buffers: readonly DataView[]): void {
    if (content.type !== "weights") return;
    const waiters = this.weightWaiters;
    this.weightWaiters = [];
    for (const w of waiters) w({ refs: (content.refs ?? []) as WeightRef[], buffers: [...buffers], ...(typeof content.error === "string" ? { error: content.error } : {}) });
  }

  /** Makes sure the engine has every weight the current model needs, asking the kernel once. */
  async ensureWeights(): Promise<void> {
    const c = this.converted;
    if (!c) throw new SessionError("nothing converted");
    const key = (r: WeightRef): string => `${r.buffer}:${r.perm?.join(",") ?? ""}`;
    const refs = c.weights.filter((w) => !this.sentWeights.has(key(w))).map(({ buffer, byteLength, perm }) => ({ buffer, byteLength, ...(perm ? { perm } : {}) }));
    if (!refs.length) return;
    const bytes = refs.reduce((n, r) => n + r.byteLength, 0);
    this.display.status(`fetching ${formatBytes(bytes)} of weights from the kernel…`);
    const reply = await new Promise<{ refs: WeightRef[]; buffers: DataView[]; error?: string }>((resolve) => {
      this.weightWaiters.push(resolve);
      this.model.send({ type: "weights", refs });
    });
    if (reply.error) throw new SessionError(reply.error);
    if (reply.buffers.length !== reply.refs.length) throw new SessionError(`the kernel sent ${reply.buffers.length} weights for ${reply.refs.length} requested`);
    await this.engine.request({
      type: "weights",
      session: this.id,
      weights: reply.refs.map((ref, i) => ({ ref, bytes: new Uint8Array(reply.buffers[i].buffer, reply.buffers[i].byteOffset, reply.buffers[i].byteLength).slice() })),
    });
    for (const r of reply.refs) this.sentWeights.add(key(r));
  }

  async runParity(): Promise<void> {
    const mode = this.config.parity ?? "off";
    if (mode === "off") {
      this.display.parity({ kind: "off", reason: this.config.parityReason ?? "Parity is off (--no-parity)." });
      return;
    }
    if (mode === "kernel") {
      const result = this.model.get("parity") as ParityResult | undefined;
      if (result && result.runtime) this.display.parity({ kind: "done", result });
      else this.display.parity({ kind: "off", reason: "The kernel runs parity for this model (its weights are too big to send to the browser)." });
      return;
    }
    const parityCase = this.model.get("parity_case") as ParityCase | undefined;
    const data = traitBytes(this.model.get("parity_data"));
    if (!parityCase?.inputs || !data) {
      this.display.parity({ kind: "off", reason: "The kernel sent no parity inputs." });
      return;
    }
    let result: ParityResult;
    try {
      this.display.parity({ kind: "running", step: "fetching weights" });
      await this.ensureWeights();
      this.display.parity({ kind: "running", step: "running onnxruntime-web" });
      const feeds = tensorsOf(parityCase.inputs, data);
      const run = await this.engine.request({ type: "run", session: this.id, feeds: feeds.map((f) => ({ ...f, data: f.data.slice() })) });
      const expected = tensorsOf(parityCase.outputs, data);
      result = { ...compareOutputs(expected, run.outputs, parityCase.tolerances, "onnxruntime-web"), milliseconds: run.milliseconds, session_milliseconds: run.sessionMilliseconds };
    } catch (e) {
      const message = reportOf(e).message;
      result = { runtime: "onnxruntime-web", ok: false, outputs: [], error: message };
    }
    this.model.set({ parity: { ...result, options: this.options, dims: parityCase.dims ?? {} } });
    this.display.parity({ kind: "done", result });
    this.display.status(result.ok ? "parity: pass" : "parity: FAIL");
  }

  /** Asks the kernel to write the model beside the notebook; it fills the weights itself. */
  save(): void {
    const c = this.converted;
    if (!c) throw new SessionError("nothing converted to save");
    this.display.status(`saving ${this.config.fileName ?? "model.onnx"}…`);
    const payload = c.payload.slice();
    this.model.send({ type: "save", table: c.table as ChunkRef[], options: this.options }, [payload.buffer]);
  }

  /** The whole model as bytes (weights fetched from the kernel first), for a browser download. */
  async modelBytes(): Promise<Uint8Array> {
    await this.ensureWeights();
    return (await this.engine.request({ type: "assemble", session: this.id })).model;
  }

  async dispose(): Promise<void> {
    if (this.loaded) await this.engine.request({ type: "drop", session: this.id }).catch(() => undefined);
  }
}

/** The engine worker's errors arrive as reports (engine-client.ts); in-process ones as errors. */
function reportOf(e: unknown): ErrorReport {
  return (e as { report?: ErrorReport }).report ?? errorReport(e);
}

function clean(o: WidgetConvertOptions): WidgetConvertOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as WidgetConvertOptions;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 2 ** 30) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 2 ** 30).toFixed(2)} GiB`;
}
