/**
 * One fresh Node process converting one saved capture `--runs` times, in a row, as a long-lived
 * converter process does: prints the per-conversion wall and CPU times of the first conversion,
 * of the 2nd-13th (what a notebook session feels and what bench/measure.py's warm median sees)
 * and of the last quarter (the JIT's steady state), as one JSON line. bench/converter_warmup.sh
 * runs it under different V8 flags, interleaved, and compares.
 */
import * as fs from "node:fs";
import { convertCapture, decodeCaptureBytes } from "../src/core";
import { defaultRegistry } from "../plugins";

const [file, runsText] = process.argv.slice(2);
const bytes = new Uint8Array(fs.readFileSync(file));
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < Number(runsText); i++) {
  const w = performance.now();
  const c = process.cpuUsage();
  convertCapture(decodeCaptureBytes(bytes), { registry: defaultRegistry });
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1e3);
  wall.push(performance.now() - w);
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const phases = (a: number[]) => ({ first: a[0], early: median(a.slice(1, 13)), steady: median(a.slice(Math.floor(a.length * 0.75))), total: a.reduce((x, y) => x + y, 0) });
console.log(JSON.stringify({ wall: phases(wall), cpu: phases(cpu) }));
