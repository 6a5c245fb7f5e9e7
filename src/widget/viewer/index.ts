/** The graph widget's viewer: what the ipywidget view and the bench page use. */
export { GraphViewer, type GraphViewerOptions, type ViewerTimings } from "./graph-viewer";
export { viewGraphFromOnnx, OnnxViewError } from "../view-model";
export type { ViewGraph, ViewNodeRef, ViewExtras, TensorStats } from "../view-model";
