/**
 * SVG path data for an edge route: through every point with vertical tangents (a cubic per
 * segment whose control points share the segment's middle height), so routes through bend
 * points are smooth and arrowheads point along the flow.
 */
const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();

export function edgePath(route: ArrayLike<number>, from = 0, to = route.length): string {
  if (to - from < 4) return "";
  let d = `M${fmt(route[from])},${fmt(route[from + 1])}`;
  for (let i = from + 2; i + 1 < to; i += 2) {
    const x0 = route[i - 2];
    const y0 = route[i - 1];
    const x1 = route[i];
    const y1 = route[i + 1];
    const ym = (y0 + y1) / 2;
    d += `C${fmt(x0)},${fmt(ym)} ${fmt(x1)},${fmt(ym)} ${fmt(x1)},${fmt(y1)}`;
  }
  return d;
}

/** A route's bounding box: [x0, y0, x1, y1]. */
export function routeBounds(route: ArrayLike<number>, from = 0, to = route.length): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = from; i + 1 < to; i += 2) {
    x0 = Math.min(x0, route[i]); x1 = Math.max(x1, route[i]);
    y0 = Math.min(y0, route[i + 1]); y1 = Math.max(y1, route[i + 1]);
  }
  return [x0, y0, x1, y1];
}
