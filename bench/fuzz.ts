/**
 * The long fuzz run (the test command runs the same properties for a few seconds each):
 *   bash bench/fuzz.sh [--seconds-per-property N] [--seed S]
 * Prints, per property, how many inputs ran, how they ended, the slowest one, and any finding
 * (an input that got an untyped error, unsafe text, or took too long). Exit code 1 on a finding.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { byteMutant, checkCapture, headerMutant, internalErrors, loadSeeds, newStats, randomContainer, type FuzzInput } from "../src/testing/capture-fuzz";
import { checkOnnx, newOnnxStats, onnxByteMutant, onnxSeeds, wireMutant, type OnnxConsumer } from "../src/testing/onnx-fuzz";
import { viewGraphFromOnnx } from "../src/widget/view-model/from-onnx";
import { OnnxViewError } from "../src/widget/view-model/types";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg("--seconds-per-property", 60);
const seed = arg("--seed", Date.now() % 2 ** 31);
const MAX_MS = 5000;
const seedDir = path.join(process.cwd(), "src", "testing", "fuzz-seeds");

// The input being checked, rewritten before each check: if a run hangs (a synchronous predicate
// cannot be interrupted), this file names it; its bytes are written only when it took long.
const tracePath = path.join(process.cwd(), "bench", "out", "fuzz-current.txt");
fs.mkdirSync(path.dirname(tracePath), { recursive: true });
const traceFd = fs.openSync(tracePath, "w");
function trace(property: string, input: FuzzInput): void {
  const line = Buffer.from(`${property}: ${input.how}`.padEnd(400).slice(0, 400) + "\n");
  fs.writeSync(traceFd, line, 0, line.byteLength, 0);
}

let failed = false;
function run(name: string, arbitrary: fc.Arbitrary<FuzzInput>, check: (input: FuzzInput) => void, report: () => string): void {
  const traced = (input: FuzzInput): void => {
    trace(name, input);
    const start = performance.now();
    try {
      check(input);
    } finally {
      if (performance.now() - start > 1000) fs.writeFileSync(path.join(path.dirname(tracePath), `slow-${Date.now()}.bin`), input.bytes);
    }
  };
  const details = fc.check(fc.property(arbitrary, traced), { seed, numRuns: Number.MAX_SAFE_INTEGER, plugins: [fc.interruptAfterTimeLimit(seconds * 1000)] });
  const status = details.failed ? `FINDING after ${details.numRuns} inputs: ${fc.stringify(details.counterexample)}\n  ${String(details.errorInstance).split("\n").slice(0, 3).join("\n  ")}` : "ok";
  console.log(`${name.padEnd(16)} ${report()}  ${status}`);
  failed ||= details.failed;
}

const captures = loadSeeds(seedDir);
console.log(`fuzz: seed ${seed}, ${seconds} s per property, ${captures.length} capture seeds`);
for (const [name, arbitrary] of [["capture bytes", byteMutant(captures)], ["capture header", headerMutant(captures)], ["capture random", randomContainer]] as const) {
  const stats = newStats();
  run(name, arbitrary, (input) => checkCapture(stats, input, MAX_MS), () => `${stats.runs} inputs ${JSON.stringify(stats.outcomes)}, slowest ${stats.slowestMs.toFixed(0)} ms`);
}
const models = onnxSeeds(seedDir);
// The widget's view model (show("model.onnx")): an OnnxViewError is a rejection, unless what it
// wraps is a stack overflow or an allocation failure.
const viewModel: OnnxConsumer = {
  name: "viewGraphFromOnnx",
  consume: (bytes) => (viewGraphFromOnnx(bytes), null),
  rejects: (e) => e instanceof OnnxViewError && !/call stack|invalid array length|allocation failed|out of memory/i.test(String((e as Error & { cause?: unknown }).cause)),
};
for (const [name, arbitrary, consumer] of [
  ["onnx bytes", onnxByteMutant(models), undefined],
  ["onnx wire", wireMutant(models), undefined],
  ["view bytes", onnxByteMutant(models), viewModel],
  ["view wire", wireMutant(models), viewModel],
] as const) {
  const stats = newOnnxStats();
  run(name, arbitrary, (input) => checkOnnx(stats, input, MAX_MS, consumer), () => `${stats.runs} inputs (${stats.rejected} rejected, ${stats.read} read), slowest ${stats.slowestMs.toFixed(0)} ms`);
}
if (internalErrors.size) {
  console.log(`\nconverter errors that are not ConversionErrors, for captures that decode but are not JAX programs (${internalErrors.size} distinct):`);
  for (const m of [...internalErrors].slice(0, 30)) console.log(`  ${m}`);
}
process.exitCode = failed ? 1 : 0;
