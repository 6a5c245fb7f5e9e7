/** Fuzzing the ONNX reader, summary and text (src/testing/onnx-fuzz.ts): fixed seed, bounded time. */
import fc from "fast-check";
import type { FuzzInput } from "../../testing/capture-fuzz";
import { checkOnnx, newOnnxStats, onnxByteMutant, onnxSeeds, wireMutant, type OnnxFuzzStats } from "../../testing/onnx-fuzz";

const SEED = 20261201;
const TIME_MS = 2000;
// Far above the slowest input seen (~300 ms in long runs) on two cores shared by up to eight
// sessions: what fails here is a hang or a blow-up, not a busy machine.
const MAX_MS_PER_INPUT = 10_000;
jest.setTimeout(60_000);
const seeds = onnxSeeds();

function fuzz(name: string, arbitrary: fc.Arbitrary<FuzzInput>): OnnxFuzzStats {
  const stats = newOnnxStats();
  fc.assert(fc.property(arbitrary, (input) => checkOnnx(stats, input, MAX_MS_PER_INPUT)), {
    seed: SEED,
    numRuns: 5000,
    plugins: [fc.interruptAfterTimeLimit(TIME_MS)],
  });
  console.log(`${name}: ${stats.runs} inputs, ${stats.rejected} rejected, ${stats.read} read, slowest ${stats.slowestMs.toFixed(1)} ms`);
  return stats;
}

describe("ONNX reader fuzzing", () => {
  it("starts from models that read", () => {
    expect(seeds.map((s) => s.name)).toEqual(["cnn", "control", "mlp", "nested", "symbolic", "hand_made"]);
    const stats = newOnnxStats();
    for (const s of seeds) checkOnnx(stats, { bytes: s.bytes, how: s.name } as FuzzInput, MAX_MS_PER_INPUT);
    expect(stats.read).toBe(seeds.length);
  });

  it("survives damaged bytes", () => {
    const stats = fuzz("onnx bytes", onnxByteMutant(seeds));
    expect(stats.runs).toBeGreaterThan(50);
    expect(stats.rejected).toBeGreaterThan(0);
  });

  it("survives wire-level edits anywhere in the message", () => {
    const stats = fuzz("onnx wire", wireMutant(seeds));
    expect(stats.runs).toBeGreaterThan(50);
    expect(stats.read).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
