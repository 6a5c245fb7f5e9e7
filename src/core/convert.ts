/**
 * Capture -> ONNX, bytes in, chunks out: decode, lower, optimize, serialize. This is the whole
 * converter as the hosts (Node CLI, converter process, the browser) call it.
 */
import type { Capture } from "./interchange/capture";
import { tensorByteLength, type Model } from "./ir/ir";
import { lowerCapture, type LowerOptions } from "./lower/lower";
import { DeadCodeElimination } from "./passes/dead-code-elimination";
import { FoldConstants } from "./passes/fold-constants";
import { FoldInitializerLayout } from "./passes/fold-initializer-layout";
import { FusePatterns } from "./passes/fuse-patterns";
import { InferTypes } from "./passes/infer-types";
import { MergeCommonSubexpressions } from "./passes/merge-common-subexpressions";
import { RemoveIdentities } from "./passes/remove-identities";
import { InitializersToConstants } from "./passes/initializers-to-constants";
import { SinkTransposes } from "./passes/sink-transposes";
import { RunIfChanged, type GraphPass } from "./passes/pass";
import type { Chunk } from "./serialize/chunks";
import { serializeModelFiles, type ExternalDataOptions } from "./serialize/model-proto";
import { totalLength } from "./serialize/chunks";

export const PRODUCER_NAME = "jax2onnx-lab";
export const PRODUCER_VERSION = "0.1.0";

export interface ConvertOptions extends LowerOptions {
  /**
   * Store big tensors in a separate data file when the initializers total more than `above`
   * bytes (protobuf cannot hold a message over 2 GB; default: never).
   */
  readonly externalData?: ExternalDataOptions & { readonly above: number };
  /** Fuse op patterns into ONNX's fused ops (Gelu, AveragePool, ...); default true. */
  readonly fusions?: boolean;
}

export interface ConversionSummary {
  readonly name: string;
  readonly opset: number;
  readonly nodes: number;
  /** Model-local functions and the nodes inside their bodies (not counted in `nodes`). */
  readonly functions: number;
  readonly functionNodes: number;
  readonly initializers: number;
  readonly bytes: number;
  /** The external data file, or null when every tensor is inside the model file. */
  readonly externalData: string | null;
  readonly ops: Readonly<Record<string, number>>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface ConversionResult {
  readonly model: Model;
  readonly chunks: Chunk[];
  /** The external data file's chunks, when tensors were stored outside the model. */
  readonly dataChunks?: Chunk[];
  readonly summary: ConversionSummary;
}

export function defaultPasses(opset: number, { fusions = true }: { readonly fusions?: boolean } = {}): GraphPass[] {
  // Dead-code elimination right after fusing: bypassed nodes would count as readers and keep
  // Transposes from sinking.
  // Identities after fusing: a layout chain or a scale that folds to nothing leaves one.
  const fuse = (identities = new RemoveIdentities()): GraphPass[] => [new FusePatterns(opset), identities, new DeadCodeElimination()];
  // Constant folding runs again after fusion: the weight and bias products the folds leave.
  const clean = (): GraphPass[] => [new RemoveIdentities(), new MergeCommonSubexpressions()];
  const sink = new SinkTransposes();
  const finish = [new DeadCodeElimination(), new FoldConstants(), new DeadCodeElimination(), new InferTypes()];
  if (!fusions) return [new FoldInitializerLayout(), new FoldConstants(), ...clean(), sink, ...finish];
  // Fusion runs again after sinking (Transposes between a pool and its divisor are gone by
  // then), or after an identity the first fusion left was removed; otherwise the graph is the
  // first fusion's fixpoint (dead nodes removed, which no pattern sees) and nothing would change.
  const identitiesAfterFusion = new RemoveIdentities();
  const fuseAgain = new RunIfChanged([identitiesAfterFusion, sink], fuse());
  return [new FoldInitializerLayout(), new FoldConstants(), ...clean(), ...fuse(identitiesAfterFusion), sink, fuseAgain, ...finish];
}

export function convertCapture(capture: Capture, options: ConvertOptions): ConversionResult {
  const { graph, opset, functions } = lowerCapture(capture, options);
  const passOptions = { fusions: options.fusions ?? true };
  for (const pass of defaultPasses(opset, passOptions)) pass.run(graph);
  for (const f of functions) {
    for (const pass of defaultPasses(opset, passOptions)) pass.run(f.body);
    new InitializersToConstants().run(f.body);
  }
  const domains = [...new Set(functions.map((f) => f.domain))];
  const model: Model = {
    graph,
    ...(functions.length ? { functions: [...functions] } : {}),
    opsetImports: [{ domain: "", version: opset }, ...domains.map((domain) => ({ domain, version: 1 }))],
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    metadata: Object.fromEntries(Object.entries(capture.producer).map(([k, v]) => [`jax2onnx_lab.capture.${k}`, v])),
  };
  const initializerBytes = graph.initializers.reduce((n, v) => n + (v.tensor ? tensorByteLength(v.tensor) : 0), 0);
  const external = options.externalData && initializerBytes > options.externalData.above ? options.externalData : undefined;
  const files = serializeModelFiles(model, external);
  const chunks = files.model;
  const ops: Record<string, number> = {};
  for (const n of graph.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  const fmt = (v: { name: string; type: { dtype: string; shape: readonly unknown[] } }): string => `${v.name}: ${v.type.dtype}[${v.type.shape.map((d) => d ?? "?").join(",")}]`;
  return {
    model,
    chunks,
    ...(files.data ? { dataChunks: files.data } : {}),
    summary: {
      name: graph.name,
      opset,
      nodes: graph.nodes.length,
      functions: functions.length,
      functionNodes: functions.reduce((n, f) => n + f.body.nodes.length, 0),
      initializers: graph.initializers.length,
      bytes: totalLength(chunks) + (files.data ? totalLength(files.data) : 0),
      externalData: files.data ? external!.location : null,
      ops,
      inputs: graph.inputs.map(fmt),
      outputs: graph.outputs.map(fmt),
    },
  };
}
