/**
 * A uniform grid over boxes, for viewport culling and hit tests at 10,000+ boxes: a query costs
 * the cells it covers plus what is in them, not the whole graph. Boxes spanning many cells (big
 * group frames) sit in a short list checked every time.
 */
export class SpatialIndex {
  private readonly cell: number;
  private readonly cells = new Map<number, number[]>();
  private readonly large: number[] = [];
  private readonly stamp: Uint32Array;
  private query = 0;

  constructor(
    private readonly x: ArrayLike<number>,
    private readonly y: ArrayLike<number>,
    private readonly w: ArrayLike<number>,
    private readonly h: ArrayLike<number>,
    cellSize?: number,
  ) {
    const n = x.length;
    this.stamp = new Uint32Array(n);
    let area = 0;
    for (let i = 0; i < n; i++) area += Math.max(1, w[i]) * Math.max(1, h[i]);
    this.cell = cellSize ?? Math.min(4096, Math.max(64, Math.sqrt(n ? (area / n) * 16 : 1)));
    for (let i = 0; i < n; i++) {
      const [cx0, cy0, cx1, cy1] = this.range(x[i], y[i], x[i] + w[i], y[i] + h[i]);
      if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > 64) {
        this.large.push(i);
        continue;
      }
      for (let cx = cx0; cx <= cx1; cx++) {
        for (let cy = cy0; cy <= cy1; cy++) {
          const key = this.key(cx, cy);
          const list = this.cells.get(key);
          if (list) list.push(i);
          else this.cells.set(key, [i]);
        }
      }
    }
  }

  private key(cx: number, cy: number): number {
    // Cells are non-negative in practice (layouts start at 0, 0); offset keeps negatives distinct.
    return (cx + 32768) * 65536 + (cy + 32768);
  }

  private range(x0: number, y0: number, x1: number, y1: number): [number, number, number, number] {
    const c = this.cell;
    return [Math.floor(x0 / c), Math.floor(y0 / c), Math.floor(x1 / c), Math.floor(y1 / c)];
  }

  private intersects(i: number, x0: number, y0: number, x1: number, y1: number): boolean {
    return this.x[i] <= x1 && this.x[i] + this.w[i] >= x0 && this.y[i] <= y1 && this.y[i] + this.h[i] >= y0;
  }

  /** Indices of the boxes meeting the rectangle, each once, in increasing order. */
  search(x0: number, y0: number, x1: number, y1: number): number[] {
    const q = ++this.query;
    const out: number[] = [];
    const [cx0, cy0, cx1, cy1] = this.range(x0, y0, x1, y1);
    const cellCount = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
    if (cellCount > this.cells.size) {
      // A query wider than the graph: scanning the cells that exist is cheaper than the grid.
      for (const list of this.cells.values()) this.collect(list, q, x0, y0, x1, y1, out);
    } else {
      for (let cx = cx0; cx <= cx1; cx++) {
        for (let cy = cy0; cy <= cy1; cy++) {
          const list = this.cells.get(this.key(cx, cy));
          if (list) this.collect(list, q, x0, y0, x1, y1, out);
        }
      }
    }
    this.collect(this.large, q, x0, y0, x1, y1, out);
    return out.sort((a, b) => a - b);
  }

  private collect(list: readonly number[], q: number, x0: number, y0: number, x1: number, y1: number, out: number[]): void {
    for (const i of list) {
      if (this.stamp[i] === q) continue;
      this.stamp[i] = q;
      if (this.intersects(i, x0, y0, x1, y1)) out.push(i);
    }
  }

  /** Boxes containing the point, innermost (smallest) first. */
  at(px: number, py: number): number[] {
    return this.search(px, py, px, py).sort((a, b) => this.w[a] * this.h[a] - this.w[b] * this.h[b]);
  }
}
