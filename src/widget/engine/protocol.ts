/**
 * Messages between the widget views (main thread) and the engine worker, which converts captures
 * with the same src/core + plugins as every other host and runs models in onnxruntime-web. One
 * worker serves every widget on the page; `session` keeps their captures apart.
 */
import type { ChunkRef, ConversionSummary, ErrorReport } from "../../core";

/** A tensor as bytes: what the kernel sends for parity inputs and what the runtime returns. */
export interface TensorBytes {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export interface WidgetConvertOptions {
  readonly opset?: number;
  readonly fusions?: boolean;
  /** The kernel's working directory: source paths in node metadata are relative to it, as in to_onnx. */
  readonly sourceRoot?: string;
  readonly modelName?: string;
}

/** A host-held weight the model needs: its capture buffer, written transposed by `perm`. */
export interface WeightRef {
  readonly buffer: number;
  readonly byteLength: number;
  readonly perm?: readonly number[];
}

export type EngineRequest =
  | { readonly type: "load"; readonly session: string; readonly capture: Uint8Array }
  | { readonly type: "convert"; readonly session: string; readonly options: WidgetConvertOptions }
  | { readonly type: "weights"; readonly session: string; readonly weights: readonly { readonly ref: WeightRef; readonly bytes: Uint8Array }[] }
  | { readonly type: "assemble"; readonly session: string }
  | { readonly type: "run"; readonly session: string; readonly feeds: readonly TensorBytes[] }
  | { readonly type: "drop"; readonly session: string };

export interface Converted {
  /** The model with host weights as references: what the view decodes. */
  readonly structure: Uint8Array;
  /** The model as chunks: byte ranges of `payload`, and host weights the kernel fills in. */
  readonly table: readonly ChunkRef[];
  readonly payload: Uint8Array;
  readonly summary: ConversionSummary;
  /** Time the conversion took in the worker (decode excluded: the capture is loaded once). */
  readonly milliseconds: number;
  /** Host weights the model needs (each once), and which initializer each becomes. */
  readonly weights: readonly (WeightRef & { readonly initializer: string })[];
}

export interface EngineReplies {
  load: { readonly buffers: number };
  convert: Converted;
  weights: { readonly missing: number };
  assemble: { readonly model: Uint8Array };
  run: { readonly outputs: readonly TensorBytes[]; readonly milliseconds: number; readonly sessionMilliseconds: number };
  drop: Record<string, never>;
}

export type EngineReply<T extends EngineRequest["type"] = EngineRequest["type"]> =
  | { readonly id: number; readonly ok: true; readonly result: EngineReplies[T] }
  | { readonly id: number; readonly ok: false; readonly error: ErrorReport };
