/**
 * Compound layout: every expanded group (container) is laid out by itself, deepest first, as a
 * flat layered graph of its direct children, where a child container is one box of the size its
 * own layout gave it. An edge counts in the container that is the nearest common ancestor of its
 * ends, between the two children that hold them ("lifted"), so groups are ordered by the flow
 * between them and siblings never overlap. Then positions go top-down to absolute coordinates.
 * Loops only (no recursion), so nesting depth and chain length cannot overflow the stack.
 */
import { layeredLayout, type FlatLayout } from "./layered";
import { DEFAULT_LAYOUT_OPTIONS, type LayoutOptions, type LayoutRequest, type LayoutResult } from "./types";

/** The top level, as a parent index. (A container's requested height is its header band.) */
const ROOT = -1;

export class LayoutInputError extends Error {
  override readonly name = "LayoutInputError";
}

function depths(parent: Int32Array, container: Uint8Array): Int32Array {
  const n = parent.length;
  const depth = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (depth[i] >= 0) continue;
    // Walk up to a known depth, then fill the path in (iteratively).
    const path: number[] = [];
    let p = i;
    while (p !== ROOT && depth[p] < 0) {
      path.push(p);
      if (path.length > n) throw new LayoutInputError("layout: the parent links form a cycle");
      const q = parent[p];
      if (q !== ROOT && (q < 0 || q >= n || !container[q])) throw new LayoutInputError(`layout: item ${p}'s parent ${q} is not a container`);
      p = q;
    }
    let d = p === ROOT ? -1 : depth[p];
    for (let k = path.length - 1; k >= 0; k--) depth[path[k]] = ++d;
  }
  return depth;
}

export function layoutGraph(request: LayoutRequest): LayoutResult {
  const options: LayoutOptions = { ...DEFAULT_LAYOUT_OPTIONS, ...request.options };
  const { parent, container, width: minWidth, height: minHeight, edges } = request;
  const n = parent.length;
  const edgeCount = edges.length >> 1;
  const depth = depths(parent, container);

  // Children of each container (index n stands for the top level), in item order.
  const slot = (c: number): number => (c === ROOT ? n : c);
  const children: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let i = 0; i < n; i++) children[slot(parent[i])].push(i);
  const localIndex = new Int32Array(n);
  for (const list of children) list.forEach((item, k) => { localIndex[item] = k; });

  // Lift each edge to its nearest common container: local edge (A, B) between the children holding its ends.
  const localEdges: Map<number, number>[] = Array.from({ length: n + 1 }, () => new Map());
  const edgeHome = new Int32Array(edgeCount).fill(-2); // container slot of each edge, -2 when not drawn
  const edgeLocal = new Int32Array(edgeCount);
  const localEdgeEnds: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let e = 0; e < edgeCount; e++) {
    let a = edges[2 * e];
    let b = edges[2 * e + 1];
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) continue;
    while (depth[a] > depth[b]) a = parent[a];
    while (depth[b] > depth[a]) b = parent[b];
    while (parent[a] !== parent[b]) { a = parent[a]; b = parent[b]; }
    if (a === b) continue; // one end inside the other: nothing to route between siblings
    const home = slot(parent[a]);
    const key = localIndex[a] * (children[home].length + 1) + localIndex[b];
    let local = localEdges[home].get(key);
    if (local === undefined) {
      local = localEdgeEnds[home].length / 2;
      localEdges[home].set(key, local);
      localEdgeEnds[home].push(localIndex[a], localIndex[b]);
    }
    edgeHome[e] = home;
    edgeLocal[e] = local;
  }

  // Deepest containers first, the top level last.
  const containers: number[] = [];
  for (let i = 0; i < n; i++) if (container[i]) containers.push(i);
  containers.sort((a, b) => depth[b] - depth[a] || a - b);
  const width = Float64Array.from(minWidth);
  const height = Float64Array.from(minHeight);
  const flats: (FlatLayout | undefined)[] = new Array(n + 1);
  /** Where a container's children start, relative to its top-left. */
  const contentLeft = new Float64Array(n + 1);
  const contentTop = new Float64Array(n + 1);
  for (const c of [...containers, ROOT]) {
    const s = slot(c);
    const kids = children[s];
    const ends = localEdgeEnds[s];
    const flat = layeredLayout(
      {
        width: kids.map((k) => width[k]),
        height: kids.map((k) => height[k]),
        source: ends.filter((_, i) => i % 2 === 0),
        target: ends.filter((_, i) => i % 2 === 1),
      },
      options,
    );
    flats[s] = flat;
    if (c === ROOT) continue;
    const pad = options.padding;
    const header = minHeight[c];
    const inner = kids.length ? flat.width + 2 * pad : 0;
    width[c] = Math.max(minWidth[c], inner);
    height[c] = header + (kids.length ? flat.height + 2 * pad : 0);
    contentLeft[s] = (width[c] - flat.width) / 2; // centred under a header wider than the children
    contentTop[s] = header + pad;
  }

  // Top-down: absolute top-left corners.
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const order = [ROOT, ...containers.slice().reverse()]; // shallowest first
  for (const c of order) {
    const s = slot(c);
    const flat = flats[s]!;
    const originX = (c === ROOT ? 0 : x[c]) + contentLeft[s];
    const originY = (c === ROOT ? 0 : y[c]) + contentTop[s];
    children[s].forEach((k, i) => {
      x[k] = originX + flat.cx[i] - width[k] / 2;
      y[k] = originY + flat.cy[i] - height[k] / 2;
    });
  }

  // Routes: from the source box, out of its ancestor under the common container, along the
  // lifted edge's route there, into the target's ancestor, to the target box.
  const routeOffsets = new Uint32Array(edgeCount + 1);
  const pieces: Float64Array[] = [];
  const reversed = new Uint8Array(edgeCount);
  let length = 0;
  for (let e = 0; e < edgeCount; e++) {
    const home = edgeHome[e];
    if (home === -2) {
      pieces.push(new Float64Array(0));
      routeOffsets[e + 1] = length;
      continue;
    }
    const flat = flats[home]!;
    const local = flat.routes[edgeLocal[e]];
    const c = home === n ? ROOT : home;
    const ox = (c === ROOT ? 0 : x[c]) + contentLeft[home];
    const oy = (c === ROOT ? 0 : y[c]) + contentTop[home];
    const u = edges[2 * e];
    const v = edges[2 * e + 1];
    const back = flat.reversed[edgeLocal[e]] === 1;
    reversed[e] = back ? 1 : 0;
    const points: number[] = [];
    const uBottom = back ? y[u] : y[u] + height[u];
    const vTop = back ? y[v] + height[v] : y[v];
    points.push(x[u] + width[u] / 2, uBottom);
    const localPoints = local.length / 2;
    const first = localPoints > 0 ? 1 : 0;
    const last = localPoints - 1;
    // The lifted route's own end points are on the ancestors' frames; keep them only when the
    // ancestor is not the box itself, so nested ends join the frame where the route leaves it.
    if (localPoints >= 2) {
      const leavesAncestor = children[home][flatSource(home, edgeLocal[e])] !== u;
      if (leavesAncestor) points.push(x[u] + width[u] / 2, oy + local[1]);
      for (let p = first; p < last; p++) points.push(ox + local[2 * p], oy + local[2 * p + 1]);
      const entersAncestor = children[home][flatTarget(home, edgeLocal[e])] !== v;
      if (entersAncestor) points.push(x[v] + width[v] / 2, oy + local[2 * last + 1]);
    }
    points.push(x[v] + width[v] / 2, vTop);
    const piece = Float64Array.from(points);
    pieces.push(piece);
    length += piece.length;
    routeOffsets[e + 1] = length;
  }
  function flatSource(home: number, local: number): number {
    return localEdgeEnds[home][2 * local];
  }
  function flatTarget(home: number, local: number): number {
    return localEdgeEnds[home][2 * local + 1];
  }
  const routes = new Float64Array(length);
  let at = 0;
  for (const piece of pieces) {
    routes.set(piece, at);
    at += piece.length;
  }
  const top = flats[n]!;
  return { x, y, width, height, routeOffsets, routes, reversed, totalWidth: top.width, totalHeight: top.height };
}
