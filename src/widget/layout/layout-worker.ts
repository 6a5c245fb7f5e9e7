/**
 * The layout Web Worker: one long-lived worker answers layout requests, so big graphs lay out
 * off the page's thread. The extension creates it with
 * `new Worker(new URL("./layout/layout-worker.js", import.meta.url))` (rspack makes it its own chunk).
 * Messages: `{ id, request }` in, `{ id, result }` or `{ id, error }` out, typed arrays transferred.
 */
import { layoutGraph } from "./compound";
import { layoutBuffers, type LayoutRequest } from "./types";
import type { LayoutReply, LayoutMessage } from "./layout-client";

// The worker's global, typed by what this file uses (the DOM lib types `self` as a Window).
const scope = self as unknown as {
  onmessage: ((event: { data: LayoutMessage }) => void) | null;
  postMessage(message: LayoutReply, transfer: ArrayBuffer[]): void;
};

scope.onmessage = (event) => {
  const { id, request } = event.data;
  try {
    const result = layoutGraph(request as LayoutRequest);
    scope.postMessage({ id, result }, layoutBuffers(result));
  } catch (e) {
    scope.postMessage({ id, error: e instanceof Error ? e.message : String(e) }, []);
  }
};
