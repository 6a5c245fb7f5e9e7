/**
 * The converter alone (no Python, no process boundary), stage by stage, on saved captures:
 *   bash bench/converter_stages.sh CAPTURE.j2o... [--runs N]
 * Each run decodes, lowers, runs every default pass and serializes; the minimum and median per
 * stage are printed, in CPU time of this process (on a shared machine wall time mostly measures
 * the neighbours; CPU time includes the GC's helper threads). Run under `node --cpu-prof` for
 * a profile of the same work (bench/converter_stages.sh --cpu-prof).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { chunkTable, decodeCaptureBytes, defaultPasses, lowerCapture, type Model } from "../src/core";
import { serializeModelFiles } from "../src/core/serialize/model-proto";
import { defaultRegistry } from "../plugins";

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
// --verbose: each stage's time as it ends (to see where a slow run is, before it finishes).
const verboseAt = args.indexOf("--verbose");
const verbose = verboseAt >= 0 && args.splice(verboseAt, 1).length > 0;

function ms(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `min ${sorted[0].toFixed(2).padStart(9)} ms   median ${sorted[Math.floor(sorted.length / 2)].toFixed(2).padStart(9)} ms`;
}

for (const file of args) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const times = new Map<string, number[]>();
  const time = <T>(stage: string, f: () => T): T => {
    const start = process.cpuUsage();
    const out = f();
    const used = process.cpuUsage(start);
    const list = times.get(stage) ?? [];
    list.push((used.user + used.system) / 1e3);
    if (verbose) console.log(`    ${stage}: ${((used.user + used.system) / 1e3).toFixed(1)} ms`);
    times.set(stage, list);
    return out;
  };
  let nodes = 0;
  let eqns = 0;
  for (let r = 0; r < runs + 1; r++) {
    const capture = time("decode", () => decodeCaptureBytes(bytes));
    eqns = capture.jaxpr.eqns.length;
    const { graph, opset } = time("lower", () => lowerCapture(capture, { registry: defaultRegistry }));
    // A pass that runs twice (fusion before and after sinking) is timed as two stages.
    const seen = new Map<string, number>();
    for (const pass of defaultPasses(opset)) {
      const n = (seen.get(pass.name) ?? 0) + 1;
      seen.set(pass.name, n);
      time(`pass ${pass.name}${n > 1 ? ` (${n})` : ""}`, () => pass.run(graph));
    }
    nodes = graph.nodes.length;
    const model: Model = { graph, opsetImports: [{ domain: "", version: opset }], producerName: "bench", producerVersion: "0", metadata: {} };
    const files = time("serialize", () => serializeModelFiles(model));
    time("chunk table", () => chunkTable(files.model));
    if (r === 0) times.clear(); // the first run warms the JIT
  }
  const total = Array.from({ length: runs }, (_, i) => [...times.values()].reduce((n, t) => n + t[i], 0));
  console.log(`${path.basename(file)}: ${eqns} top-level eqns -> ${nodes} nodes; ${runs} runs, CPU time`);
  const width = Math.max(...[...times.keys()].map((k) => k.length));
  for (const [stage, t] of times) console.log(`  ${stage.padEnd(width)}  ${ms(t)}`);
  console.log(`  ${"total".padEnd(width)}  ${ms(total)}`);
}
