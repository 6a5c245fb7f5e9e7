/**
 * Fuzzing the capture reader and the converter behind it (src/testing/capture-fuzz.ts): a fixed
 * seed, a bounded time per property. The long run is bench/fuzz.ts.
 */
import fc from "fast-check";
import { byteMutant, checkCapture, headerMutant, internalErrors, loadSeeds, newStats, randomContainer, type FuzzInput, type FuzzStats } from "../../testing/capture-fuzz";

const SEED = 20261201;
const TIME_MS = 2500;
const MAX_RUNS = 5000;
// Far above the slowest input seen (~300 ms in long runs) on two cores shared by up to eight
// sessions: what fails here is a hang or a blow-up, not a busy machine.
const MAX_MS_PER_INPUT = 10_000;
jest.setTimeout(60_000);

const seeds = loadSeeds();

function fuzz(name: string, arbitrary: fc.Arbitrary<FuzzInput>): FuzzStats {
  const stats = newStats();
  fc.assert(
    fc.property(arbitrary, (input) => checkCapture(stats, input, MAX_MS_PER_INPUT)),
    { seed: SEED, numRuns: MAX_RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_MS)] },
  );
  // What ran, for the report (jest --silent hides it; the counts are also asserted).
  console.log(`${name}: ${stats.runs} inputs, ${JSON.stringify(stats.outcomes)}, slowest ${stats.slowestMs.toFixed(1)} ms\n${[...internalErrors].slice(0, 20).join("\n")}`);
  return stats;
}

describe("capture fuzzing", () => {
  it("has real seeds that convert", () => {
    expect(seeds.map((s) => s.name)).toEqual(["cnn", "control", "mlp", "nested", "symbolic"]);
    const stats = newStats();
    for (const s of seeds) checkCapture(stats, s.bytes, MAX_MS_PER_INPUT);
    // Every seed converts (control's cond/scan included, since the control-flow rules landed).
    expect(stats.outcomes).toEqual({ rejected: 0, not_convertible: 0, converted: 5, internal: 0 });
  });

  it("rejects damaged bytes with typed errors", () => {
    const stats = fuzz("bytes", byteMutant(seeds));
    expect(stats.runs).toBeGreaterThan(50);
    expect(stats.outcomes.rejected).toBeGreaterThan(0);
  });

  it("rejects edited headers with typed errors, or converts them", () => {
    const stats = fuzz("header", headerMutant(seeds));
    expect(stats.runs).toBeGreaterThan(50);
    expect(stats.outcomes.rejected).toBeGreaterThan(0);
    expect(stats.outcomes.converted).toBeGreaterThan(0);
  });

  it("rejects random bytes", () => {
    const stats = fuzz("random", randomContainer);
    expect(stats.outcomes.rejected).toBe(stats.runs);
  });
});
