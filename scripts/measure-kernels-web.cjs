// For scripts/measure-kernels.py: creates an onnxruntime-web (wasm) session for each model of a
// manifest ([{name, path}]) with optimizations off, runs it (its inputs are initializers), and
// prints {name: null | "error"} as JSON.
"use strict";
const fs = require("node:fs");
const ort = require("onnxruntime-web");

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "fatal";

async function main() {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const results = {};
  for (const { name, path } of manifest) {
    try {
      const session = await ort.InferenceSession.create(fs.readFileSync(path), { graphOptimizationLevel: "disabled", logSeverityLevel: 4 });
      await session.run({});
      await session.release();
      results[name] = null;
    } catch (e) {
      results[name] = String(e && e.message ? e.message : e).split("\n")[0].slice(0, 200);
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
