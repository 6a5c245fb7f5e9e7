/**
 * onnxruntime-web in the engine worker: wasm from the extension's own static files (never a
 * CDN), one thread (JupyterLab is not cross-origin isolated, so no SharedArrayBuffer), and one
 * cached InferenceSession per converted model.
 */
import * as ort from "onnxruntime-web/wasm";
import wasmUrl from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import type { ModelRunner } from "./engine";
import type { TensorBytes } from "./protocol";
import { bytesOf, typedArray } from "./tensor-bytes";

// The object form: a folder string makes ORT look for an .mjs the extension does not ship
// (TOOLCHAIN.md), after which ORT stays broken until the page reloads.
ort.env.wasm.wasmPaths = { wasm: wasmUrl };
ort.env.wasm.numThreads = 1;

let cached: { key: string; session: ort.InferenceSession } | null = null;

async function sessionFor(model: Uint8Array, key: string): Promise<{ session: ort.InferenceSession; milliseconds: number }> {
  if (cached?.key === key) return { session: cached.session, milliseconds: 0 };
  const start = performance.now();
  await cached?.session.release();
  cached = null;
  const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"] });
  cached = { key, session };
  return { session, milliseconds: performance.now() - start };
}

export const ortRunner: ModelRunner = {
  async run(model, key, feeds) {
    const { session, milliseconds: sessionMilliseconds } = await sessionFor(model, key);
    const inputs: Record<string, ort.Tensor> = {};
    for (const f of feeds) inputs[f.name] = new ort.Tensor(f.dtype as ort.Tensor.Type, typedArray(f.dtype, f.data) as ort.Tensor.DataType, [...f.shape]);
    const start = performance.now();
    const results = await session.run(inputs);
    const milliseconds = performance.now() - start;
    const outputs: TensorBytes[] = session.outputNames.map((name) => {
      const t = results[name];
      return { name, dtype: t.type, shape: [...t.dims], data: bytesOf(t.data as ArrayBufferView).slice() };
    });
    return { outputs, milliseconds, sessionMilliseconds };
  },
};
