/**
 * Folds layout ops applied to an initializer into the initializer itself, so weights are stored
 * in the layout ONNX ops want (conv kernels HWIO -> OIHW, biases [C] -> [1,1,1,C]).
 *  1. Transpose of bytes the converter holds (small constants): transposed here.
 *  2. Transpose of bytes the host holds (big weights): the tensor gets a `perm` that the host
 *     applies as it writes the file; the weight never passes through the converter.
 *  3. Reshape / Squeeze / Unsqueeze (with constant shape or axes): only the shape changes, the
 *     bytes stay as they are, wherever they are.
 * Only when the op is the initializer's sole reader (otherwise the weight would be stored twice;
 * onnxruntime folds what remains at load) and the op's result is not a graph output.
 *  4. The same for a layout op inside a subgraph (a Loop/Scan body, an If branch) on an
 *     initializer of the outermost graph, where every weight lives: folded once here instead of
 *     running at every iteration. Reads inside bodies count as uses (useCounts), so a weight
 *     read both in a body and outside it is never folded away under either.
 */
import { dtypeByteSize } from "../ir/dtype";
import { isStaticShape } from "../ir/dims";
import type { Graph, Node, Tensor } from "../ir/ir";
import { useCounts, ValueReplacements } from "../ir/walk";
import { GraphPass, type PassResult } from "./pass";

/**
 * The bytes of a row-major tensor of `shape` transposed by `perm`. Elements move as whole
 * machine words (4- or 2-byte, as the element size and the view's alignment allow), never
 * through floats (a NaN's payload stays as it is); the output is walked in order, its last
 * axis as one strided run of the input.
 */
export function transposeBytes(bytes: Uint8Array, shape: readonly number[], perm: readonly number[], elementSize: number): Uint8Array {
  const rank = shape.length;
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(bytes.byteLength);
  if (rank === 0 || count === 0) {
    out.set(bytes);
    return out;
  }
  const word = elementSize % 4 === 0 && bytes.byteOffset % 4 === 0 ? 4 : elementSize % 2 === 0 && bytes.byteOffset % 2 === 0 ? 2 : 1;
  const View = word === 4 ? Uint32Array : word === 2 ? Uint16Array : Uint8Array;
  const src = new View(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / word);
  const dst = new View(out.buffer);
  const words = elementSize / word;
  const inStrides = new Array<number>(rank).fill(words);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const outShape = perm.map((p) => shape[p]);
  // The input step (in words) of each output axis.
  const step = perm.map((p) => inStrides[p]);
  const run = outShape[rank - 1];
  const runStep = step[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let base = 0;
  let k = 0;
  for (let r = count / run; r > 0; r--) {
    let from = base;
    if (words === 1) {
      for (let j = 0; j < run; j++, from += runStep) dst[k++] = src[from];
    } else {
      for (let j = 0; j < run; j++, from += runStep) for (let w = 0; w < words; w++) dst[k++] = src[from + w];
    }
    for (let d = rank - 2; d >= 0; d--) {
      base += step[d];
      if (++index[d] < outShape[d]) break;
      base -= step[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}

/** The tensor transposed by `perm`, or null when a host tensor's layout cannot take it. */
export function transposeTensor(t: Tensor, perm: readonly number[]): Tensor | null {
  const shape = perm.map((p) => t.shape[p]);
  if (t.data.kind === "bytes") {
    return { dtype: t.dtype, shape, data: { kind: "bytes", bytes: transposeBytes(t.data.bytes, t.shape, perm, dtypeByteSize(t.dtype)) } };
  }
  const source = t.data.sourceShape;
  const prev = t.data.perm ?? source.map((_, i) => i);
  // A reshape since the last transpose makes the dims no longer a permutation of the source's.
  if (prev.length !== perm.length || prev.some((p, i) => source[p] !== t.shape[i])) return null;
  // Composing: source.transpose(prev).transpose(perm) = source.transpose(prev[perm[i]]).
  return { dtype: t.dtype, shape, data: { ...t.data, perm: perm.map((p) => prev[p]) } };
}

function folded(node: Node, t: Tensor): Tensor | null {
  const out = node.outputs[0].type.shape;
  switch (node.op) {
    case "Transpose": {
      const perm = node.attrs.perm?.type === "ints" ? node.attrs.perm.value : t.shape.map((_, i, s) => s.length - 1 - i);
      return transposeTensor(t, perm);
    }
    case "Reshape":
    case "Squeeze":
    case "Unsqueeze":
      // The output type was computed from constant shape/axes; unknown dims mean it was not.
      return isStaticShape(out) ? { ...t, shape: [...out] } : null;
    default:
      return null;
  }
}

export class FoldInitializerLayout extends GraphPass {
  readonly name = "fold-initializer-layout";

  protected call(graph: Graph): PassResult {
    const uses = useCounts(graph);
    // Case 4: a folded value may be read in subgraphs too; replaced everywhere, in one walk at the end.
    const replacements = new ValueReplacements();
    for (const owner of withSubgraphs(graph)) {
      const outputs = new Set(owner.outputs);
      const removed = new Set<Node>();
      for (const node of owner.nodes) {
        // Through earlier folds: Reshape then Transpose of one weight folds both.
        const source = replacements.resolve(node.inputs[0] ?? null);
        if (node.domain !== "" || !source?.tensor || uses.get(source) !== 1 || outputs.has(node.outputs[0])) continue;
        const tensor = folded(node, source.tensor);
        if (!tensor) continue;
        source.tensor = tensor;
        source.type = { dtype: tensor.dtype, shape: tensor.shape };
        replacements.replace(node.outputs[0], source);
        removed.add(node);
        uses.set(source, uses.get(node.outputs[0]) ?? 0);
      }
      if (removed.size) owner.nodes = owner.nodes.filter((n) => !removed.has(n));
    }
    replacements.apply(graph);
    return { graph, modified: replacements.size > 0 };
  }
}

/** The graph and every subgraph inside it, outermost first. */
function withSubgraphs(graph: Graph): Graph[] {
  return [graph, ...graph.nodes.flatMap((n) => Object.values(n.attrs).flatMap((a) => (a.type === "graph" ? withSubgraphs(a.value) : [])))];
}
