/**
 * Fuzzing the widget's view model (issue 9, item 3: `show("model.onnx")` reads files from
 * anywhere) with the same mutants as inspect's reader (src/testing/onnx-fuzz.ts): any bytes give a
 * ViewGraph or an OnnxViewError, quickly. viewGraphFromModelProto turns every exception into an
 * OnnxViewError so the widget shows a message; a stack overflow or an allocation failure behind
 * one (a RangeError cause saying so) is still a finding, and other causes (a TypeError on a message of an
 * unexpected shape) are counted.
 */
import fc from "fast-check";
import type { FuzzInput } from "../../testing/capture-fuzz";
import { checkOnnx, newOnnxStats, onnxByteMutant, onnxSeeds, wireMutant, type OnnxConsumer, type OnnxFuzzStats } from "../../testing/onnx-fuzz";
import { viewGraphFromOnnx } from "./from-onnx";
import { OnnxViewError } from "./types";

const SEED = 20261201;
const TIME_MS = 2000;
// Far above the slowest input seen (~300 ms in long runs) on two cores shared by up to eight
// sessions: what fails here is a hang or a blow-up, not a busy machine.
const MAX_MS_PER_INPUT = 10_000;
jest.setTimeout(60_000);
const seeds = onnxSeeds();
const causes = new Map<string, number>();
const RESOURCE_EXHAUSTION = /call stack|invalid array length|allocation failed|out of memory|invalid string length/i;

const viewModel: OnnxConsumer = {
  name: "viewGraphFromOnnx",
  consume: (bytes) => {
    const view = viewGraphFromOnnx(bytes);
    // Touch what the renderer walks, so lazily broken parts would throw here too.
    JSON.stringify(view, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v instanceof Uint8Array ? v.byteLength : v));
    return null;
  },
  rejects: (e) => {
    if (!(e instanceof OnnxViewError)) return false;
    const cause = (e as Error & { cause?: unknown }).cause;
    // protobufjs reports truncation as RangeError("index out of range"): a decode error, fine.
    if (cause instanceof RangeError && RESOURCE_EXHAUSTION.test(cause.message)) return false;
    if (cause instanceof Error) causes.set(cause.name, (causes.get(cause.name) ?? 0) + 1);
    return true;
  },
};

function fuzz(name: string, arbitrary: fc.Arbitrary<FuzzInput>): OnnxFuzzStats {
  const stats = newOnnxStats();
  fc.assert(fc.property(arbitrary, (input) => checkOnnx(stats, input, MAX_MS_PER_INPUT, viewModel)), {
    seed: SEED,
    numRuns: 5000,
    plugins: [fc.interruptAfterTimeLimit(TIME_MS)],
  });
  console.log(`${name}: ${stats.runs} inputs, ${stats.rejected} rejected, ${stats.read} read, slowest ${stats.slowestMs.toFixed(1)} ms; wrapped causes ${JSON.stringify(Object.fromEntries(causes))}`);
  return stats;
}

describe("view model fuzzing", () => {
  it("reads the seed models", () => {
    const stats = newOnnxStats();
    for (const s of seeds) checkOnnx(stats, { bytes: s.bytes, how: s.name } as FuzzInput, MAX_MS_PER_INPUT, viewModel);
    expect(stats.read).toBe(seeds.length);
  });

  it("survives damaged bytes", () => {
    const stats = fuzz("view bytes", onnxByteMutant(seeds));
    expect(stats.runs).toBeGreaterThan(50);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it("survives wire-level edits anywhere in the message", () => {
    const stats = fuzz("view wire", wireMutant(seeds));
    expect(stats.runs).toBeGreaterThan(50);
    expect(stats.read).toBeGreaterThan(0);
  });
});
