/**
 * A layered (Sugiyama-style) layout of one flat graph of boxes, fast enough for 10,000 boxes in a
 * fraction of a second and free of recursion (a 10,000-deep chain is a loop, not a call stack):
 *  1. ranks: longest path from the sources over a topological order (Kahn); edges that close a
 *     cycle are marked reversed and left out; sources then move down next to their first consumer;
 *  2. long edges get one bend point (a "dummy" box of width 0) per rank they cross, within a budget;
 *  3. order within each rank: barycentre sweeps down and up, keeping the order with fewest crossings;
 *  4. x: each pass moves every box toward the weighted mean of its neighbours in the previous
 *     rank, then restores the order and gaps with the least squared movement (pool-adjacent-
 *     violators on the rank); y: ranks stacked by their tallest box;
 *  5. routes: bottom centre of the source, the bend points, top centre of the target.
 */
import type { LayoutOptions } from "./types";

export interface FlatGraph {
  readonly width: ArrayLike<number>;
  readonly height: ArrayLike<number>;
  /** Edge sources and targets (node indices); no self-loops, no duplicates needed. */
  readonly source: ArrayLike<number>;
  readonly target: ArrayLike<number>;
}

export interface FlatLayout {
  /** Box centres, with the drawing's top-left at 0, 0. */
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly rank: Int32Array;
  readonly width: number;
  readonly height: number;
  /** Per edge: x0, y0, x1, y1, ... */
  readonly routes: Float64Array[];
  readonly reversed: Uint8Array;
}

/** Compressed adjacency: the neighbours of v are items[start[v] .. start[v+1]). */
interface Adjacency {
  readonly start: Int32Array;
  readonly items: Int32Array;
  /** The edge (or segment) index of each entry. */
  readonly edge: Int32Array;
}

function adjacency(count: number, from: ArrayLike<number>, to: ArrayLike<number>, length: number): Adjacency {
  const start = new Int32Array(count + 1);
  for (let e = 0; e < length; e++) start[from[e] + 1]++;
  for (let v = 0; v < count; v++) start[v + 1] += start[v];
  const fill = start.slice(0, count);
  const items = new Int32Array(length);
  const edge = new Int32Array(length);
  for (let e = 0; e < length; e++) {
    const at = fill[from[e]]++;
    items[at] = to[e];
    edge[at] = e;
  }
  return { start, items, edge };
}

/** Kahn's algorithm; when only cycles remain, the lowest-numbered waiting node goes next. */
function rankNodes(n: number, g: FlatGraph, m: number): { rank: Int32Array; order: Int32Array; reversed: Uint8Array } {
  const out = adjacency(n, g.source, g.target, m);
  const indegree = new Int32Array(n);
  for (let e = 0; e < m; e++) indegree[g.target[e]]++;
  const rank = new Int32Array(n);
  const done = new Uint8Array(n);
  const reversed = new Uint8Array(m);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) if (indegree[v] === 0) queue[tail++] = v;
  let scan = 0;
  const order = new Int32Array(n);
  let placed = 0;
  while (placed < n) {
    if (head === tail) {
      while (done[scan]) scan++;
      queue[tail++] = scan; // breaks a cycle: its remaining in-edges become reversed edges
    }
    const u = queue[head++];
    if (done[u]) continue;
    done[u] = 1;
    order[placed++] = u;
    for (let k = out.start[u]; k < out.start[u + 1]; k++) {
      const v = out.items[k];
      const e = out.edge[k];
      if (done[v]) {
        reversed[e] = 1;
        continue;
      }
      if (rank[u] + 1 > rank[v]) rank[v] = rank[u] + 1;
      if (--indegree[v] === 0) queue[tail++] = v;
    }
  }
  // Sources (inputs, constants, weights-as-nodes) sit just above their first consumer, not at the top.
  const hasIn = new Uint8Array(n);
  for (let e = 0; e < m; e++) if (!reversed[e]) hasIn[g.target[e]] = 1;
  for (let v = 0; v < n; v++) {
    if (hasIn[v]) continue;
    let least = Infinity;
    for (let k = out.start[v]; k < out.start[v + 1]; k++) if (!reversed[out.edge[k]]) least = Math.min(least, rank[out.items[k]]);
    if (least !== Infinity && least - 1 > rank[v]) rank[v] = least - 1;
  }
  return { rank, order, reversed };
}

/**
 * Crossings between two ranks: list the lower ends in upper order (each node's ends sorted), then
 * count inversions with an accumulator tree (Barth, Juenger, Mutzel 2002). Scratch arrays are reused.
 */
class CrossingCounter {
  private ends = new Int32Array(64);
  private tree = new Int32Array(128);

  count(upper: readonly number[], lowerSize: number, pos: Int32Array, down: Adjacency): number {
    let used = 0;
    for (let i = 0; i < upper.length; i++) {
      const u = upper[i];
      const first = used;
      for (let k = down.start[u]; k < down.start[u + 1]; k++) {
        if (used === this.ends.length) {
          const grown = new Int32Array(this.ends.length * 2);
          grown.set(this.ends);
          this.ends = grown;
        }
        // Insertion sort within the node's own ends (nodes have few).
        let j = used++;
        const p = pos[down.items[k]];
        while (j > first && this.ends[j - 1] > p) { this.ends[j] = this.ends[j - 1]; j--; }
        this.ends[j] = p;
      }
    }
    let size = 1;
    while (size < lowerSize) size *= 2;
    if (this.tree.length < 2 * size) this.tree = new Int32Array(2 * size);
    const tree = this.tree;
    tree.fill(0, 0, 2 * size);
    let crossings = 0;
    for (let i = 0; i < used; i++) {
      let index = this.ends[i] + size;
      tree[index]++;
      while (index > 1) {
        if ((index & 1) === 0) crossings += tree[index + 1];
        index >>= 1;
        tree[index]++;
      }
    }
    return crossings;
  }
}

/** Scratch arrays for placeRank, grown as needed and reused across ranks and passes. */
class RankScratch {
  desired = new Float64Array(0);
  weight = new Float64Array(0);
  placed = new Float64Array(0);
  offset = new Float64Array(0);
  blockValue = new Float64Array(0);
  blockWeight = new Float64Array(0);
  blockEnd = new Int32Array(0);

  ensure(size: number): void {
    if (this.desired.length >= size) return;
    const n = Math.max(size, 2 * this.desired.length);
    this.desired = new Float64Array(n);
    this.weight = new Float64Array(n);
    this.placed = new Float64Array(n);
    this.offset = new Float64Array(n);
    this.blockValue = new Float64Array(n);
    this.blockWeight = new Float64Array(n);
    this.blockEnd = new Int32Array(n);
  }
}

/**
 * Least-squares placement of one rank in its order: minimise sum w_i (x_i - d_i)^2 subject to
 * x_{i+1} - x_i >= gap_i. With offsets o_i (cumulative gaps) this is isotonic regression on
 * d_i - o_i, solved exactly by pool-adjacent-violators in linear time. Reads s.desired/s.weight,
 * writes s.placed (first n entries).
 */
function placeRank(n: number, gaps: Float64Array, s: RankScratch): void {
  const { desired, weight, offset, blockValue, blockWeight, blockEnd, placed } = s;
  offset[0] = 0;
  for (let i = 1; i < n; i++) offset[i] = offset[i - 1] + gaps[i - 1];
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    let value = desired[i] - offset[i];
    let w = weight[i];
    while (blocks > 0 && blockValue[blocks - 1] >= value) {
      blocks--;
      value = (blockValue[blocks] * blockWeight[blocks] + value * w) / (blockWeight[blocks] + w);
      w += blockWeight[blocks];
    }
    blockValue[blocks] = value;
    blockWeight[blocks] = w;
    blockEnd[blocks] = i;
    blocks++;
  }
  let i = 0;
  for (let b = 0; b < blocks; b++) {
    for (; i <= blockEnd[b]; i++) placed[i] = blockValue[b] + offset[i];
  }
}

export function layeredLayout(g: FlatGraph, options: LayoutOptions): FlatLayout {
  const n = g.width.length;
  const m = g.source.length;
  const { rank, order, reversed } = rankNodes(n, g, m);

  // Segments between adjacent ranks; long edges through dummies (nodes n.. of width 0).
  let ranks = 0;
  for (let v = 0; v < n; v++) ranks = Math.max(ranks, rank[v] + 1);
  const nodeRank: number[] = Array.from(rank);
  const segFrom: number[] = [];
  const segTo: number[] = [];
  const chains: (number[] | null)[] = new Array(m).fill(null);
  let budget = Math.max(1000, options.maxDummiesPerNode * n);
  const outEdges = adjacency(n, g.source, g.target, m);
  const layers: number[][] = Array.from({ length: ranks }, () => []);
  // Initial order: topological; a node's long edges lay their bend points when it is placed.
  for (let i = 0; i < n; i++) {
    const u = order[i];
    layers[rank[u]].push(u);
  }
  for (let i = 0; i < n; i++) {
    const u = order[i];
    for (let k = outEdges.start[u]; k < outEdges.start[u + 1]; k++) {
      const e = outEdges.edge[k];
      if (reversed[e]) continue;
      const v = outEdges.items[k];
      const span = rank[v] - rank[u];
      if (span === 1) {
        segFrom.push(u); segTo.push(v);
      } else if (span > 1 && span - 1 <= budget) {
        budget -= span - 1;
        const chain: number[] = [];
        let previous = u;
        for (let r = rank[u] + 1; r < rank[v]; r++) {
          const d = nodeRank.length;
          nodeRank.push(r);
          layers[r].push(d);
          chain.push(d);
          segFrom.push(previous); segTo.push(d);
          previous = d;
        }
        segFrom.push(previous); segTo.push(v);
        chains[e] = chain;
      }
    }
  }
  const total = nodeRank.length;
  const down = adjacency(total, segFrom, segTo, segFrom.length);
  const up = adjacency(total, segTo, segFrom, segFrom.length);
  const boxWidth = (v: number): number => (v < n ? g.width[v] : 0);
  const boxHeight = (v: number): number => (v < n ? g.height[v] : 0);

  // Ordering sweeps; keep the best order seen.
  const pos = new Int32Array(total);
  const setPositions = (): void => {
    for (const layer of layers) for (let i = 0; i < layer.length; i++) pos[layer[i]] = i;
  };
  setPositions();
  const counter = new CrossingCounter();
  const countCrossings = (): number => {
    let c = 0;
    for (let r = 0; r + 1 < ranks; r++) c += counter.count(layers[r], layers[r + 1].length, pos, down);
    return c;
  };
  let best = layers.map((l) => l.slice());
  let bestCrossings = countCrossings();
  let packed = new Float64Array(0);
  // Barycentres in 1/1024 steps and the current position packed in one float: a numeric sort
  // (no comparator) orders by barycentre, ties by current place. 2^21 positions per rank at most.
  const POSITION_BITS = 2 ** 21;
  const sortLayer = (layer: number[], by: Adjacency): void => {
    const size = layer.length;
    if (size < 2) return;
    if (packed.length < size) packed = new Float64Array(Math.max(size, 2 * packed.length));
    const keys = packed.subarray(0, size);
    for (let i = 0; i < size; i++) {
      const v = layer[i];
      const s = by.start[v];
      const e = by.start[v + 1];
      let key = i; // no neighbours that way: keep its place
      if (s !== e) {
        let sum = 0;
        for (let k = s; k < e; k++) sum += pos[by.items[k]];
        key = sum / (e - s);
      }
      keys[i] = Math.round(key * 1024) * POSITION_BITS + i;
    }
    keys.sort();
    const before = layer.slice();
    for (let i = 0; i < size; i++) {
      const v = before[keys[i] % POSITION_BITS];
      layer[i] = v;
      pos[v] = i;
    }
  };
  for (let sweep = 0; sweep < options.orderSweeps && bestCrossings > 0; sweep++) {
    for (let r = 1; r < ranks; r++) sortLayer(layers[r], up);
    for (let r = ranks - 2; r >= 0; r--) sortLayer(layers[r], down);
    const c = countCrossings();
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => l.slice());
    }
  }
  for (let r = 0; r < ranks; r++) layers[r] = best[r];
  setPositions();

  // y: ranks stacked by their tallest box.
  const rankTop = new Float64Array(ranks + 1);
  const rankHeight = new Float64Array(ranks);
  for (let v = 0; v < n; v++) rankHeight[rank[v]] = Math.max(rankHeight[rank[v]], g.height[v]);
  for (let r = 0; r < ranks; r++) rankTop[r + 1] = rankTop[r] + rankHeight[r] + options.rankGap;
  const cy = new Float64Array(total);
  for (let v = 0; v < total; v++) cy[v] = rankTop[nodeRank[v]] + rankHeight[nodeRank[v]] / 2;

  // x: packed, then pulled toward neighbours pass by pass.
  const cx = new Float64Array(total);
  const gapsOf = layers.map((layer) => {
    const gaps = new Float64Array(Math.max(0, layer.length - 1));
    for (let i = 0; i + 1 < layer.length; i++) {
      const a = layer[i];
      const b = layer[i + 1];
      const spacing = a >= n || b >= n ? options.edgeGap : options.nodeGap;
      gaps[i] = (boxWidth(a) + boxWidth(b)) / 2 + spacing;
    }
    return gaps;
  });
  for (let r = 0; r < ranks; r++) {
    const layer = layers[r];
    let x = 0;
    for (let i = 0; i < layer.length; i++) {
      if (i > 0) x += gapsOf[r][i - 1];
      cx[layer[i]] = x;
    }
  }
  const scratch = new RankScratch();
  // Where a box wants to be: a box goes to the mean of its real neighbours (its long edges' bend
  // points only when it has no real ones); a bend point to its own edge's neighbours, so long
  // edges run straight. In a conflict bend points give way (weight 1e-3 against 1): if a chain
  // yielded to the skip edges beside it (residual adds), it would drift sideways a little per
  // layer, over hundreds of layers.
  const pull = (v: number, a: Adjacency, i: number, realOnly: boolean): number => {
    let count = 0;
    for (let k = a.start[v]; k < a.start[v + 1]; k++) {
      const u = a.items[k];
      if (realOnly && u >= n) continue;
      scratch.desired[i] += cx[u];
      count++;
    }
    return count;
  };
  const pass = (r: number, first: Adjacency, second: Adjacency | null): void => {
    const layer = layers[r];
    const size = layer.length;
    scratch.ensure(size);
    const { desired, weight } = scratch;
    for (let i = 0; i < size; i++) {
      const v = layer[i];
      desired[i] = 0;
      let count = 0;
      if (v < n) count = pull(v, first, i, true) + (second ? pull(v, second, i, true) : 0);
      if (count === 0) count = pull(v, first, i, false) + (second ? pull(v, second, i, false) : 0);
      if (count > 0) {
        desired[i] /= count;
        weight[i] = v < n ? 1 : 1e-3;
      } else {
        desired[i] = cx[v];
        weight[i] = 1e-2; // free boxes give way (to all but bend points)
      }
    }
    placeRank(size, gapsOf[r], scratch);
    for (let i = 0; i < size; i++) cx[layer[i]] = scratch.placed[i];
  };
  for (let p = 0; p < options.coordinatePasses; p++) {
    if (p % 2 === 0) for (let r = 1; r < ranks; r++) pass(r, up, null);
    else for (let r = ranks - 2; r >= 0; r--) pass(r, down, null);
  }
  for (let r = 0; r < ranks; r++) pass(r, up, down);

  let left = Infinity;
  let right = -Infinity;
  for (let v = 0; v < total; v++) {
    left = Math.min(left, cx[v] - boxWidth(v) / 2);
    right = Math.max(right, cx[v] + boxWidth(v) / 2);
  }
  if (total === 0) left = right = 0;
  for (let v = 0; v < total; v++) cx[v] -= left;

  const routes: Float64Array[] = [];
  for (let e = 0; e < m; e++) {
    const u = g.source[e];
    const v = g.target[e];
    const chain = chains[e] ?? [];
    const points = new Float64Array(4 + chain.length * 2);
    if (reversed[e]) {
      // Against the ranks: leave the source's top and enter the target's bottom.
      points[0] = cx[u]; points[1] = cy[u] - boxHeight(u) / 2;
      points[2] = cx[v]; points[3] = cy[v] + boxHeight(v) / 2;
    } else {
      points[0] = cx[u]; points[1] = cy[u] + boxHeight(u) / 2;
      chain.forEach((d, i) => { points[2 + 2 * i] = cx[d]; points[3 + 2 * i] = cy[d]; });
      points[points.length - 2] = cx[v]; points[points.length - 1] = cy[v] - boxHeight(v) / 2;
    }
    routes.push(points);
  }
  return {
    cx: cx.slice(0, n),
    cy: cy.slice(0, n),
    rank,
    width: Math.max(0, right - left),
    height: ranks ? rankTop[ranks] - options.rankGap : 0,
    routes,
    reversed,
  };
}
