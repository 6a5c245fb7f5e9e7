/**
 * Test-only: judges serialized ONNX with the reference tools, each in its own process.
 *  - `runPython`: a script in the project's .venv (onnx, onnxruntime, numpy, ml_dtypes).
 *  - `checkAndRunOnnx`: onnx.checker.check_model(full_check=True), then onnxruntime (CPU).
 *  - `runOrtWeb`: onnxruntime-web (wasm) in a child Node process. Not in jest's own process:
 *    ORT loads its wasm glue with a dynamic import(), which jest's vm sandbox refuses without
 *    --experimental-vm-modules ("no available backend found").
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const PYTHON = path.join(ROOT, ".venv", "bin", "python");

/** A tensor as JSON: row-major values. */
export interface TensorJson {
  readonly dtype: "float32" | "float64" | "int32" | "int64" | "bool";
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

function runJson(command: string, args: string[], input: unknown, what: string): unknown {
  const r = spawnSync(command, args, { cwd: ROOT, input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${what} did not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stderr}`);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last);
}

/**
 * Runs `script` in the venv with `INPUT` (the JSON of `input`) and `emit(obj)` (prints obj as
 * the JSON result) defined. Throws with the script's stderr when it fails.
 */
export function runPython(script: string, input: unknown = null): unknown {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run scripts/setup.sh`);
  const prelude = "import json, sys\nINPUT = json.load(sys.stdin)\ndef emit(obj):\n    print(json.dumps(obj))\n";
  return runJson(PYTHON, ["-c", prelude + script], input, "python");
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/** onnx.checker full check, then one onnxruntime run; outputs by name. */
export function checkAndRunOnnx(model: Uint8Array, feeds: Readonly<Record<string, TensorJson>>): Record<string, TensorJson> {
  const script = `
import base64
import numpy as np
import onnx
import onnxruntime as ort
data = base64.b64decode(INPUT["model"])
onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
feeds = {k: np.array(v["data"], dtype=v["dtype"]).reshape(v["shape"]) for k, v in INPUT["feeds"].items()}
names = [o.name for o in session.get_outputs()]
outs = session.run(None, feeds)
emit({n: {"dtype": str(o.dtype), "shape": list(o.shape), "data": o.reshape(-1).tolist()} for n, o in zip(names, outs)})
`;
  return runPython(script, { model: base64(model), feeds }) as Record<string, TensorJson>;
}

const ORT_WEB_SCRIPT = `
const ort = require("onnxruntime-web");
ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array };
let text = "";
process.stdin.on("data", (d) => (text += d));
process.stdin.on("end", async () => {
  const input = JSON.parse(text);
  const session = await ort.InferenceSession.create(new Uint8Array(Buffer.from(input.model, "base64")));
  const feeds = {};
  for (const [name, t] of Object.entries(input.feeds)) {
    const data = t.dtype === "int64" ? BigInt64Array.from(t.data.map(BigInt)) : ARRAYS[t.dtype].from(t.data);
    feeds[name] = new ort.Tensor(t.dtype, data, t.shape);
  }
  const results = await session.run(feeds);
  const out = {};
  for (const name of session.outputNames) {
    const r = results[name];
    out[name] = { dtype: r.type, shape: [...r.dims], data: Array.from(r.data, Number) };
  }
  console.log(JSON.stringify(out));
});
`;

/** One onnxruntime-web run (wasm, single thread); outputs by name. */
export function runOrtWeb(model: Uint8Array, feeds: Readonly<Record<string, TensorJson>>): Record<string, TensorJson> {
  return runJson(process.execPath, ["-e", ORT_WEB_SCRIPT], { model: base64(model), feeds }, "onnxruntime-web") as Record<string, TensorJson>;
}
