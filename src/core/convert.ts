/**
 * Capture -> ONNX, bytes in, chunks out: decode, lower, optimize, serialize. This is the whole
 * converter as the hosts (Node CLI, converter process, the browser) call it.
 */
import type { Capture } from "./interchange/capture";
import type { Model } from "./ir/ir";
import { lowerCapture, DEFAULT_OPSET, type LowerOptions } from "./lower/lower";
import { DeadCodeElimination } from "./passes/dead-code-elimination";
import { FoldConstants } from "./passes/fold-constants";
import { FoldInitializerLayout } from "./passes/fold-initializer-layout";
import { InferTypes } from "./passes/infer-types";
import { SinkTransposes } from "./passes/sink-transposes";
import type { GraphPass } from "./passes/pass";
import type { Chunk } from "./serialize/chunks";
import { serializeModel } from "./serialize/model-proto";
import { totalLength } from "./serialize/chunks";

export const PRODUCER_NAME = "jax2onnx-lab";
export const PRODUCER_VERSION = "0.1.0";

export type ConvertOptions = LowerOptions;

export interface ConversionSummary {
  readonly name: string;
  readonly opset: number;
  readonly nodes: number;
  readonly initializers: number;
  readonly bytes: number;
  readonly ops: Readonly<Record<string, number>>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface ConversionResult {
  readonly model: Model;
  readonly chunks: Chunk[];
  readonly summary: ConversionSummary;
}

export function defaultPasses(): GraphPass[] {
  return [new FoldInitializerLayout(), new FoldConstants(), new SinkTransposes(), new DeadCodeElimination(), new InferTypes()];
}

export function convertCapture(capture: Capture, options: ConvertOptions): ConversionResult {
  const { graph, opset } = lowerCapture(capture, options);
  for (const pass of defaultPasses()) pass.run(graph);
  const model: Model = {
    graph,
    opsetImports: [{ domain: "", version: opset ?? DEFAULT_OPSET }],
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    metadata: Object.fromEntries(Object.entries(capture.producer).map(([k, v]) => [`jax2onnx_lab.capture.${k}`, v])),
  };
  const chunks = serializeModel(model);
  const ops: Record<string, number> = {};
  for (const n of graph.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  const fmt = (v: { name: string; type: { dtype: string; shape: readonly unknown[] } }): string => `${v.name}: ${v.type.dtype}[${v.type.shape.map((d) => d ?? "?").join(",")}]`;
  return {
    model,
    chunks,
    summary: {
      name: graph.name,
      opset,
      nodes: graph.nodes.length,
      initializers: graph.initializers.length,
      bytes: totalLength(chunks),
      ops,
      inputs: graph.inputs.map(fmt),
      outputs: graph.outputs.map(fmt),
    },
  };
}
