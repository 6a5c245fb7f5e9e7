// Runs ONNX models in onnxruntime-web (wasm) under Node for the Python tests: a long-lived
// process with the converter's framing (u32 frame length, u32 JSON length, JSON, payload).
//   request:  {"model": [offset, length], "inputs": [{name, dtype, shape, offset, length}]}
//   reply:    {"ok": true, "outputs": [{name, dtype, shape, offset, length}]} + output bytes
"use strict";
const crypto = require("node:crypto");
const ort = require("onnxruntime-web");

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  uint32: Uint32Array, uint64: BigUint64Array, bool: Uint8Array, float16: Uint16Array,
};
const sessions = new Map();

async function session(bytes) {
  const key = crypto.createHash("sha1").update(bytes).digest("hex");
  if (!sessions.has(key)) sessions.set(key, await ort.InferenceSession.create(bytes));
  return sessions.get(key);
}

async function run(request, payload) {
  const [mo, ml] = request.model;
  const s = await session(payload.subarray(mo, mo + ml));
  const feeds = {};
  for (const inp of request.inputs) {
    // A copy: typed arrays need an aligned start, and Buffer.slice would be a view.
    const bytes = new Uint8Array(payload.subarray(inp.offset, inp.offset + inp.length));
    const Arr = ARRAYS[inp.dtype];
    const data = new Arr(bytes.buffer, bytes.byteOffset, bytes.byteLength / Arr.BYTES_PER_ELEMENT);
    feeds[inp.name] = new ort.Tensor(inp.dtype, inp.dtype === "bool" ? Uint8Array.from(data) : data, inp.shape);
  }
  const results = await s.run(feeds);
  const outputs = [];
  const parts = [];
  let offset = 0;
  for (const name of s.outputNames) {
    const t = results[name];
    const data = t.data;
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    outputs.push({ name, dtype: t.type, shape: t.dims, offset, length: bytes.byteLength });
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  return { json: { ok: true, outputs }, payload: parts };
}

function send(json, payload = []) {
  const body = Buffer.from(JSON.stringify(json));
  const total = payload.reduce((n, p) => n + p.byteLength, 0);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(4 + body.byteLength + total, 0);
  head.writeUInt32LE(body.byteLength, 4);
  process.stdout.write(Buffer.concat([head, body, ...payload]));
}

let pending = Buffer.alloc(0);
let queue = Promise.resolve();
process.stdin.on("data", (data) => {
  pending = Buffer.concat([pending, data]);
  while (pending.byteLength >= 4 && pending.byteLength >= 4 + pending.readUInt32LE(0)) {
    const frame = pending.subarray(4, 4 + pending.readUInt32LE(0));
    pending = pending.subarray(4 + frame.byteLength);
    const jsonLength = frame.readUInt32LE(0);
    const request = JSON.parse(frame.subarray(4, 4 + jsonLength).toString("utf8"));
    const payload = Buffer.from(frame.subarray(4 + jsonLength));
    queue = queue.then(() => run(request, payload))
      .then((r) => send(r.json, r.payload))
      .catch((e) => send({ ok: false, error: String(e && e.stack || e) }));
  }
});
process.stdin.on("end", () => queue.then(() => process.exit(0)));
