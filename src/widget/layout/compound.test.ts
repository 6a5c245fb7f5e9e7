import fc from "fast-check";
import { layoutGraph } from "./compound";
import { DEFAULT_LAYOUT_OPTIONS, type LayoutRequest, type LayoutResult } from "./types";

interface Item {
  parent: number;
  container?: boolean;
  w?: number;
  h?: number;
}

function request(items: Item[], edges: [number, number][]): LayoutRequest {
  return {
    parent: Int32Array.from(items.map((i) => i.parent)),
    container: Uint8Array.from(items.map((i) => (i.container ? 1 : 0))),
    width: Float64Array.from(items.map((i) => i.w ?? (i.container ? 60 : 80))),
    height: Float64Array.from(items.map((i) => i.h ?? (i.container ? 22 : 28))),
    edges: Int32Array.from(edges.flat()),
  };
}

const EPS = 1e-6;
const box = (r: LayoutResult, i: number) => ({ x0: r.x[i], y0: r.y[i], x1: r.x[i] + r.width[i], y1: r.y[i] + r.height[i] });
const overlap = (a: ReturnType<typeof box>, b: ReturnType<typeof box>): boolean =>
  a.x0 < b.x1 - EPS && b.x0 < a.x1 - EPS && a.y0 < b.y1 - EPS && b.y0 < a.y1 - EPS;

/** Every invariant the renderer relies on; returns the list of violations (empty when fine). */
function violations(req: LayoutRequest, r: LayoutResult): string[] {
  const out: string[] = [];
  const n = req.parent.length;
  const kids = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (![r.x[i], r.y[i], r.width[i], r.height[i]].every(Number.isFinite)) out.push(`item ${i} has a non-finite box`);
    const p = req.parent[i];
    kids.set(p, [...(kids.get(p) ?? []), i]);
    if (p >= 0) {
      const a = box(r, i);
      const c = box(r, p);
      if (a.x0 < c.x0 - EPS || a.x1 > c.x1 + EPS || a.y0 < c.y0 + req.height[p] - EPS || a.y1 > c.y1 + EPS) out.push(`item ${i} sticks out of its container ${p}`);
    }
  }
  for (const [, list] of kids) {
    // Siblings never overlap: a uniform grid, so 10k siblings (in a row or a column) stay cheap.
    const cell = 200;
    const grid = new Map<string, number[]>();
    for (const i of list) {
      const b = box(r, i);
      for (let gx = Math.floor(b.x0 / cell); gx <= Math.floor(b.x1 / cell); gx++) {
        for (let gy = Math.floor(b.y0 / cell); gy <= Math.floor(b.y1 / cell); gy++) {
          const key = `${gx},${gy}`;
          const here = grid.get(key) ?? [];
          for (const j of here) if (overlap(b, box(r, j))) out.push(`siblings ${j} and ${i} overlap`);
          here.push(i);
          grid.set(key, here);
        }
      }
    }
  }
  for (let e = 0; e < req.edges.length / 2; e++) {
    const [u, v] = [req.edges[2 * e], req.edges[2 * e + 1]];
    const route = r.routes.subarray(r.routeOffsets[e], r.routeOffsets[e + 1]);
    if (u === v) continue;
    if (route.length < 4) { out.push(`edge ${e} has no route`); continue; }
    const [sx, sy, tx, ty] = [route[0], route[1], route[route.length - 2], route[route.length - 1]];
    const cu = r.x[u] + r.width[u] / 2;
    const cv = r.x[v] + r.width[v] / 2;
    if (Math.abs(sx - cu) > EPS || Math.abs(tx - cv) > EPS) out.push(`edge ${e} does not start and end at its boxes' centres`);
    if (!r.reversed[e]) {
      if (Math.abs(sy - (r.y[u] + r.height[u])) > EPS || Math.abs(ty - r.y[v]) > EPS) out.push(`edge ${e} does not leave the bottom and enter the top`);
      // Ranks follow edges (lifted to siblings): the target's sibling is below the source's.
    }
  }
  return out;
}

/** The ancestors-or-self of u and v that are siblings (the lifted edge). */
function lifted(req: LayoutRequest, u: number, v: number): [number, number] {
  const chain = (x: number) => { const c = [x]; while (req.parent[c[c.length - 1]] >= 0) c.push(req.parent[c[c.length - 1]]); return c; };
  const cu = chain(u);
  const cv = chain(v);
  for (const a of cu) for (const b of cv) if (req.parent[a] === req.parent[b] && a !== b) return [a, b];
  return [u, v];
}

describe("layoutGraph", () => {
  test("a chain: ranks follow edges, top to bottom, routes from bottom to top", () => {
    const req = request([{ parent: -1 }, { parent: -1 }, { parent: -1 }], [[0, 1], [1, 2]]);
    const r = layoutGraph(req);
    expect(violations(req, r)).toEqual([]);
    expect(r.y[0] + r.height[0]).toBeLessThan(r.y[1]);
    expect(r.y[1] + r.height[1]).toBeLessThan(r.y[2]);
    expect(r.y[1] - (r.y[0] + r.height[0])).toBeCloseTo(DEFAULT_LAYOUT_OPTIONS.rankGap);
    expect(r.x[0]).toBeCloseTo(r.x[1]); // straight down
  });

  test("a long edge bends around the nodes between (one bend point per rank crossed)", () => {
    // 0 -> 1 -> 2 -> 3 and 0 -> 3: the long edge has two bend points beside 1 and 2.
    const req = request([{ parent: -1 }, { parent: -1 }, { parent: -1 }, { parent: -1 }], [[0, 1], [1, 2], [2, 3], [0, 3]]);
    const r = layoutGraph(req);
    expect(violations(req, r)).toEqual([]);
    const route = r.routes.subarray(r.routeOffsets[3], r.routeOffsets[4]);
    expect(route.length).toBe(8);
    for (const k of [1, 2]) {
      const bx = route[2 * k];
      expect(bx < r.x[k] || bx > r.x[k] + r.width[k]).toBe(true);
    }
  });

  test("cycles are laid out with the closing edge marked reversed", () => {
    const req = request([{ parent: -1 }, { parent: -1 }, { parent: -1 }], [[0, 1], [1, 2], [2, 0]]);
    const r = layoutGraph(req);
    expect(violations(req, r)).toEqual([]);
    expect(Array.from(r.reversed)).toEqual([0, 0, 1]);
  });

  test("groups contain their children, siblings do not overlap, edges lift to the common container", () => {
    // top: [in] -> group A{ a1 -> a2 } -> group B{ b1, group C{ c1 } } -> [out]
    const items: Item[] = [
      { parent: -1 },                  // 0 in
      { parent: -1, container: true }, // 1 A
      { parent: 1 },                   // 2 a1
      { parent: 1 },                   // 3 a2
      { parent: -1, container: true, w: 300 }, // 4 B, header wider than its children
      { parent: 4 },                   // 5 b1
      { parent: 4, container: true },  // 6 C
      { parent: 6 },                   // 7 c1
      { parent: -1 },                  // 8 out
    ];
    const req = request(items, [[0, 2], [2, 3], [3, 5], [3, 7], [5, 8], [7, 8]]);
    const r = layoutGraph(req);
    expect(violations(req, r)).toEqual([]);
    // Lifted ranks: A above B; in above A; B above out.
    expect(r.y[1] + r.height[1]).toBeLessThan(r.y[4]);
    expect(r.y[0] + r.height[0]).toBeLessThan(r.y[1]);
    expect(r.y[4] + r.height[4]).toBeLessThan(r.y[8]);
    expect(r.width[4]).toBeGreaterThanOrEqual(300);
    expect(r.totalWidth).toBeGreaterThanOrEqual(300);
  });

  test("deterministic: the same request gives the same layout", () => {
    const req = randomDag(2000, 2600, 7);
    const a = layoutGraph(req);
    const b = layoutGraph(req);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.routes)).toEqual(Array.from(b.routes));
  });

  test("a 10,000-deep chain lays out without overflowing the stack", () => {
    const n = 10_000;
    const items: Item[] = Array.from({ length: n }, () => ({ parent: -1 }));
    const edges: [number, number][] = Array.from({ length: n - 1 }, (_, i) => [i, i + 1]);
    const req = request(items, edges);
    const r = layoutGraph(req);
    expect(violations(req, r)).toEqual([]);
    expect(r.y[n - 1]).toBeGreaterThan(r.y[0] + (n - 1) * DEFAULT_LAYOUT_OPTIONS.rankGap);
  });

  test("a 10,000-deep nesting of groups lays out without overflowing the stack", () => {
    const n = 10_000;
    const items: Item[] = Array.from({ length: n }, (_, i) => ({ parent: i - 1, container: i < n - 1 }));
    const r = layoutGraph(request(items, []));
    expect(r.width[0]).toBeGreaterThanOrEqual(r.width[n - 1]);
    expect(r.y[n - 1]).toBeGreaterThan(r.y[0]);
  });

  // Its speed is measured by bench/widget/run.sh, not asserted here (shared, noisy machines).
  test("a 10,000-node random DAG (1.3 edges per node) lays out with every edge pointing down", () => {
    const req = randomDag(10_000, 13_000, 1);
    const r = layoutGraph(req);
    expect(violations(req, r)).toEqual([]);
    let forward = 0;
    for (let e = 0; e < req.edges.length / 2; e++) {
      const [u, v] = [req.edges[2 * e], req.edges[2 * e + 1]];
      if (r.y[u] + r.height[u] < r.y[v]) forward++;
    }
    expect(forward).toBe(req.edges.length / 2); // a DAG: every edge points down
  });

  test("random compound graphs keep every invariant (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (n, rawEdges, rawParents, isContainer) => {
          // Parents precede children; containers are those with a flag.
          const items: Item[] = [];
          for (let i = 0; i < n; i++) {
            const containers = items.map((it, k) => (it.container ? k : -1)).filter((k) => k >= 0);
            const parent = containers.length && rawParents[i] !== undefined && rawParents[i] % 3 !== 0 ? containers[rawParents[i] % containers.length] : -1;
            items.push({ parent, container: isContainer[i] ?? false, w: 20 + (rawParents[i] ?? 0) % 90 });
          }
          const boxes = items.map((it, k) => (it.container ? -1 : k)).filter((k) => k >= 0);
          if (!boxes.length) return;
          const edges = rawEdges.map(([a, b]) => [boxes[a % boxes.length], boxes[b % boxes.length]] as [number, number]);
          const req = request(items, edges);
          const r = layoutGraph(req);
          expect(violations(req, r)).toEqual([]);
          // Lifted ranks: an edge that is not reversed goes down between the siblings that hold its ends.
          edges.forEach(([u, v], e) => {
            if (u === v || r.reversed[e]) return;
            const [a, b] = lifted(req, u, v);
            if (a === b) return;
            expect(r.y[a] + r.height[a]).toBeLessThan(r.y[b] + EPS);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** A random DAG: edges from lower to higher indices (a fixed-seed LCG, so tests repeat). */
function randomDag(n: number, m: number, seed: number): LayoutRequest {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const edges: [number, number][] = [];
  for (let i = 1; i < n; i++) edges.push([Math.floor(rand() * i), i]);
  while (edges.length < m) {
    const a = Math.floor(rand() * n);
    const b = Math.floor(rand() * n);
    if (a !== b) edges.push([Math.min(a, b), Math.max(a, b)]);
  }
  return request(Array.from({ length: n }, (_, i) => ({ parent: -1, w: 40 + (i % 7) * 15 })), edges);
}
