/**
 * The layout's input and output, columnar (typed arrays) so a request and its result cross to
 * and from the layout worker as transferable buffers, with no per-item objects.
 *
 * Items are what is visible: boxes (a node, or a collapsed group) and containers (expanded
 * groups, laid out around their children). `parent[i]` is the container holding item i, or -1.
 * Edges join boxes; the layout lifts each to the nearest common container itself.
 */

export interface LayoutOptions {
  /** Vertical space between ranks. */
  readonly rankGap: number;
  /** Horizontal space between neighbouring boxes in a rank. */
  readonly nodeGap: number;
  /** Horizontal space beside an edge's bend points (dummy nodes). */
  readonly edgeGap: number;
  /** Space between a container's frame and its children. */
  readonly padding: number;
  /** Barycentre ordering sweeps (each one down and one up). */
  readonly orderSweeps: number;
  /** Coordinate-assignment passes. */
  readonly coordinatePasses: number;
  /** At most this many bend points per container, beyond which long edges are drawn straight. */
  readonly maxDummiesPerNode: number;
}

export const DEFAULT_LAYOUT_OPTIONS: LayoutOptions = {
  rankGap: 34,
  nodeGap: 16,
  edgeGap: 8,
  padding: 12,
  orderSweeps: 4,
  coordinatePasses: 8,
  maxDummiesPerNode: 3,
};

export interface LayoutRequest {
  /** Per item: its container's index, or -1 at the top. */
  readonly parent: Int32Array;
  /** Per item: 1 for a container (an expanded group), 0 for a box. */
  readonly container: Uint8Array;
  /** Boxes: their size. Containers: the least size of the frame (its header), grown to fit the children. */
  readonly width: Float64Array;
  readonly height: Float64Array;
  /** Edges as pairs of box indices: source0, target0, source1, target1, ... */
  readonly edges: Int32Array;
  readonly options?: Partial<LayoutOptions>;
}

export interface LayoutResult {
  /** Per item: top-left corner and size, in absolute coordinates. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly width: Float64Array;
  readonly height: Float64Array;
  /** Per edge e: its route is routes[routeOffsets[e] .. routeOffsets[e+1]) as x0, y0, x1, y1, ... */
  readonly routeOffsets: Uint32Array;
  readonly routes: Float64Array;
  /** Per edge: 1 when it runs against the ranks (it closes a cycle, e.g. between two collapsed groups). */
  readonly reversed: Uint8Array;
  /** Size of the whole drawing (its top-left is 0, 0). */
  readonly totalWidth: number;
  readonly totalHeight: number;
}

/** The buffers of a request or result, to transfer rather than copy (postMessage's transfer list). */
export function layoutBuffers(x: LayoutRequest | LayoutResult): ArrayBuffer[] {
  const arrays: ArrayBufferView[] =
    "parent" in x
      ? [x.parent, x.container, x.width, x.height, x.edges]
      : [x.x, x.y, x.width, x.height, x.routeOffsets, x.routes, x.reversed];
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}
