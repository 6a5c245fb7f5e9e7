import { layeredLayout } from "./layered";
import { DEFAULT_LAYOUT_OPTIONS } from "./types";

/** Crossings among edges between adjacent ranks, counted pair by pair from the x positions. */
function crossings(source: number[], target: number[], rank: Int32Array, cx: Float64Array): number {
  const short = source.map((u, e) => [u, target[e]]).filter(([u, v]) => rank[v] - rank[u] === 1);
  let c = 0;
  for (let i = 0; i < short.length; i++) {
    for (let j = i + 1; j < short.length; j++) {
      const [a, b] = short[i];
      const [p, q] = short[j];
      if (rank[a] !== rank[p]) continue;
      if ((cx[a] - cx[p]) * (cx[b] - cx[q]) < 0) c++;
    }
  }
  return c;
}

describe("layeredLayout", () => {
  // A layered DAG: 8 ranks of 12, each node fed by two random nodes of the rank above.
  let s = 3;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const source: number[] = [];
  const target: number[] = [];
  for (let r = 1; r < 8; r++) {
    for (let i = 0; i < 12; i++) {
      for (let k = 0; k < 2; k++) {
        source.push((r - 1) * 12 + Math.floor(rand() * 12));
        target.push(r * 12 + i);
      }
    }
  }
  const graph = (sweeps: number) =>
    layeredLayout({ width: new Array(96).fill(50), height: new Array(96).fill(20), source, target }, { ...DEFAULT_LAYOUT_OPTIONS, orderSweeps: sweeps });

  test("barycentre sweeps cut the crossings of the initial order", () => {
    const before = graph(0);
    const after = graph(4);
    const c0 = crossings(source, target, before.rank, before.cx);
    const c4 = crossings(source, target, after.rank, after.cx);
    expect(c4).toBeLessThan(c0 * 0.8);
  });

  test("boxes in a rank keep their gap", () => {
    const l = graph(4);
    for (let r = 0; r < 8; r++) {
      const xs = Array.from(l.cx.subarray(r * 12, r * 12 + 12)).sort((a, b) => a - b);
      for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(50 + DEFAULT_LAYOUT_OPTIONS.nodeGap - 1e-9);
    }
  });

  test("a source sits just above its first consumer, not at the top", () => {
    // 0 -> 1 -> 2 -> 3, and 4 (a weight-like source) -> 3
    const l = layeredLayout({ width: [10, 10, 10, 10, 10], height: [10, 10, 10, 10, 10], source: [0, 1, 2, 4], target: [1, 2, 3, 3] }, DEFAULT_LAYOUT_OPTIONS);
    expect(Array.from(l.rank)).toEqual([0, 1, 2, 3, 2]);
  });

  test("a deep chain with residual skip edges stays straight (no sideways drift per layer)", () => {
    // 300 blocks: a -> b -> c -> d -> add, plus the skip a -> add (a bend point beside b, c, d).
    const source: number[] = [];
    const target: number[] = [];
    let at = 0;
    for (let block = 0; block < 300; block++) {
      const a = at;
      for (let k = 0; k < 4; k++) { source.push(a + k); target.push(a + k + 1); }
      source.push(a); target.push(a + 4);
      at += 4;
    }
    const n = at + 1;
    const l = layeredLayout({ width: new Array(n).fill(80), height: new Array(n).fill(28), source, target }, DEFAULT_LAYOUT_OPTIONS);
    // The chain and one lane of bend points beside it: a few box widths, not hundreds.
    expect(l.width).toBeLessThan(4 * 80);
    expect(Math.abs(l.cx[n - 1] - l.cx[0])).toBeLessThan(40);
  });

  test("an empty graph", () => {
    const l = layeredLayout({ width: [], height: [], source: [], target: [] }, DEFAULT_LAYOUT_OPTIONS);
    expect([l.width, l.height]).toEqual([0, 0]);
  });
});
