/**
 * Evaluates nodes whose inputs are all constants the converter holds, replacing their outputs by
 * initializers: BatchNorm's `1 / sqrt(var + eps) * scale` on running statistics, reshapes of
 * small constants, `Shape` of values whose shape is static.
 *  1. Elementwise ops (unary, binary with broadcasting, Where, Cast) on known values.
 *  2. Layout ops (Reshape, Squeeze, Unsqueeze, Transpose, Concat, Expand) on known values.
 *  3. Shape and Size of any value whose dims are all static (its values need not be known).
 *  4. Gather, Range, ConstantOfShape and MatMul (rank 1 and 2, float) with known inputs.
 *  5. Inside subgraphs (If branches, Loop and Scan bodies) the same, recursively: a folded
 *     value becomes an initializer of the subgraph it was computed in (ONNX subgraphs may hold
 *     initializers), and a body's outputs are never folded (the op reads them by position).
 * Never for weights the host holds (their bytes are not here), for results larger than
 * MAX_FOLDED_ELEMENTS (folding must not grow the file), or for graph outputs. Results are
 * rounded to the output dtype after every node, as the runtime would.
 */
import { decodeScalars, encodeScalars, isFloat, isInteger, type DType } from "../ir/dtype";
import { isStaticShape } from "../ir/dims";
import type { Graph, Node, Value } from "../ir/ir";
import { GraphPass, type PassResult } from "./pass";

export const MAX_FOLDED_ELEMENTS = 1 << 14;

interface Known {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

type Evaluator = (node: Node, ins: (Known | null)[], out: { dtype: DType; shape: readonly number[] }) => number[] | null;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** For each output element, the flat index of the (numpy-broadcast) input element it reads. */
function broadcastIndices(outShape: readonly number[], inShape: readonly number[]): number[] {
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - inShape.length).fill(1), ...inShape];
  const inStrides = strides(padded);
  const out: number[] = [];
  const index = new Array<number>(rank).fill(0);
  const n = size(outShape);
  for (let k = 0; k < n; k++) {
    let at = 0;
    for (let d = 0; d < rank; d++) if (padded[d] !== 1) at += index[d] * inStrides[d];
    out.push(at);
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** `fn` gets one element of each input (broadcast), in an array reused across elements. */
const elementwise = (fn: (xs: number[], dtype: DType) => number): Evaluator => (_node, ins, out) => {
  if (ins.some((x) => x === null)) return null;
  const known = ins as Known[];
  const n = size(out.shape);
  // An input with as many elements as the output broadcasts as itself: no index map.
  const maps = known.map((x) => (x.values.length === n ? null : broadcastIndices(out.shape, x.shape)));
  const dtype = known[0].dtype;
  const args = new Array<number>(known.length);
  const result = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < known.length; i++) {
      const map = maps[i];
      args[i] = known[i].values[map === null ? k : map[k]];
    }
    result[k] = fn(args, dtype);
  }
  return result;
};

const unary = (f: (x: number) => number): Evaluator => elementwise(([x]) => f(x));
const compare = (f: (a: number, b: number) => boolean): Evaluator => elementwise(([a, b]) => Number(f(a, b)));

const intOr = (f: (a: number, b: number) => number, g: (a: number, b: number) => number): Evaluator =>
  elementwise(([a, b], dtype) => (isInteger(dtype) ? g(a, b) : f(a, b)));

const sameValues: Evaluator = (_node, [x]) => (x ? [...x.values] : null);

const transpose: Evaluator = (node, [x], out) => {
  if (!x) return null;
  const permAttr = node.attrs.perm;
  const perm = permAttr?.type === "ints" ? permAttr.value : x.shape.map((_, i) => x.shape.length - 1 - i);
  const inStrides = strides(x.shape);
  const outStrides = strides(out.shape);
  const result = new Array<number>(x.values.length);
  for (let k = 0; k < result.length; k++) {
    let rest = k;
    let at = 0;
    for (let d = 0; d < perm.length; d++) {
      const i = Math.floor(rest / outStrides[d]);
      rest -= i * outStrides[d];
      at += i * inStrides[perm[d]];
    }
    result[k] = x.values[at];
  }
  return result;
};

const concat: Evaluator = (node, ins, out) => {
  if (ins.some((x) => x === null)) return null;
  const known = ins as Known[];
  const axisAttr = node.attrs.axis;
  const rank = out.shape.length;
  const axis = axisAttr?.type === "int" ? (axisAttr.value + rank) % rank : 0;
  const outer = size(out.shape.slice(0, axis));
  const result: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const x of known) {
      const block = size(x.shape.slice(axis));
      result.push(...x.values.slice(o * block, (o + 1) * block));
    }
  }
  return result;
};

const gather: Evaluator = (node, [data, indices], out) => {
  if (!data || !indices) return null;
  const axisAttr = node.attrs.axis;
  const axis = axisAttr?.type === "int" ? (axisAttr.value + data.shape.length) % data.shape.length : 0;
  const outer = size(data.shape.slice(0, axis));
  const inner = size(data.shape.slice(axis + 1));
  const n = data.shape[axis];
  const result: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices.values) {
      const i = raw < 0 ? raw + n : raw;
      if (i < 0 || i >= n) return null;
      result.push(...data.values.slice((o * n + i) * inner, (o * n + i + 1) * inner));
    }
  }
  return result.length === size(out.shape) ? result : null;
};

const range: Evaluator = (_node, [start, limit, delta], out) => {
  if (!start || !limit || !delta) return null;
  return Array.from({ length: size(out.shape) }, (_, i) => start.values[0] + i * delta.values[0]);
};

const constantOfShape: Evaluator = (node, _ins, out) => {
  const v = node.attrs.value;
  const fill = v?.type === "tensor" && v.value.data.kind === "bytes" ? decodeScalars(v.value.data.bytes, v.value.dtype)[0] : 0;
  return new Array<number>(size(out.shape)).fill(fill);
};

/**
 * MatMul of float operands of rank 1 or 2, numpy's semantics (a 1-D operand is a row on the left,
 * a column on the right, its axis dropped from the result): a BatchNorm shift times the weight
 * it folded into (batch-norm-into-gemm.ts). Sums in float64, rounded once to the output dtype.
 */
const matmul: Evaluator = (_node, [a, b], out) => {
  if (!a || !b || !isFloat(out.dtype) || a.shape.length < 1 || a.shape.length > 2 || b.shape.length < 1 || b.shape.length > 2) return null;
  const [m, k] = a.shape.length === 2 ? a.shape : [1, a.shape[0]];
  const [k2, n] = b.shape.length === 2 ? b.shape : [b.shape[0], 1];
  if (k !== k2) return null;
  const result = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) result[i * n + j] += a.values[i * k + p] * b.values[p * n + j];
  return result;
};

/** A value converted to an integer or bool dtype as ONNX Cast does (toward zero; nonzero is true). */
function cast(x: number, to: DType): number {
  if (to === "bool") return Number(x !== 0);
  if (isInteger(to)) return Math.trunc(x);
  return x;
}

const EVALUATORS: ReadonlyMap<string, Evaluator> = new Map<string, Evaluator>([
  // Case 1
  ["Neg", unary((x) => -x)],
  ["Abs", unary(Math.abs)],
  ["Sqrt", unary(Math.sqrt)],
  ["Reciprocal", unary((x) => 1 / x)],
  ["Exp", unary(Math.exp)],
  ["Log", unary(Math.log)],
  ["Tanh", unary(Math.tanh)],
  ["Sigmoid", unary((x) => 1 / (1 + Math.exp(-x)))],
  ["Floor", unary(Math.floor)],
  ["Ceil", unary(Math.ceil)],
  ["Sign", unary(Math.sign)],
  ["Relu", unary((x) => Math.max(x, 0))],
  ["Not", unary((x) => Number(!x))],
  ["Identity", sameValues],
  ["Add", elementwise(([a, b]) => a + b)],
  ["Sub", elementwise(([a, b]) => a - b)],
  ["Mul", elementwise(([a, b]) => a * b)],
  // ONNX integer Div truncates toward zero.
  ["Div", intOr((a, b) => a / b, (a, b) => Math.trunc(a / b))],
  ["Pow", elementwise(([a, b]) => a ** b)],
  ["Max", elementwise((xs) => Math.max(...xs))],
  ["Min", elementwise((xs) => Math.min(...xs))],
  ["Equal", compare((a, b) => a === b)],
  ["Less", compare((a, b) => a < b)],
  ["Greater", compare((a, b) => a > b)],
  ["LessOrEqual", compare((a, b) => a <= b)],
  ["GreaterOrEqual", compare((a, b) => a >= b)],
  ["And", compare((a, b) => Boolean(a && b))],
  ["Or", compare((a, b) => Boolean(a || b))],
  ["Where", elementwise(([c, a, b]) => (c ? a : b))],
  // The conversion to the output dtype (truncation to ints, != 0 to bool) happens for every node.
  ["Cast", sameValues],
  // Case 2
  ["Reshape", sameValues],
  ["Squeeze", sameValues],
  ["Unsqueeze", sameValues],
  ["Transpose", transpose],
  ["Concat", concat],
  ["Expand", elementwise(([x]) => x)],
  // Case 4
  ["MatMul", matmul],
  ["Gather", gather],
  ["Range", range],
  ["ConstantOfShape", constantOfShape],
]);

/** Which inputs an evaluator reads as values (the rest only need to exist: shapes, axes). */
const VALUE_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [0],
  Squeeze: [0],
  Unsqueeze: [0],
  Expand: [0],
  ConstantOfShape: [],
};

function known(v: Value | null): Known | null {
  const t = v?.tensor;
  if (!t || t.data.kind !== "bytes") return null;
  const values = decodeScalars(t.data.bytes, t.dtype);
  // int64 beyond 2^53 would not survive a JS number: leave such constants alone.
  if ((t.dtype === "int64" || t.dtype === "uint64") && !values.every(Number.isSafeInteger)) return null;
  return { dtype: t.dtype, shape: t.shape, values };
}

export class FoldConstants extends GraphPass {
  readonly name = "fold-constants";

  protected call(graph: Graph): PassResult {
    let modified = false;
    const outputs = new Set(graph.outputs);
    const kept: Node[] = [];
    for (const node of graph.nodes) {
      // Case 5
      for (const a of Object.values(node.attrs)) if (a.type === "graph") modified = this.call(a.value).modified || modified;
      const folded = node.domain === "" && node.outputs.length === 1 && !outputs.has(node.outputs[0]) ? this.evaluate(node) : null;
      if (!folded) {
        kept.push(node);
        continue;
      }
      const out = node.outputs[0];
      out.producer = null;
      out.tensor = { dtype: out.type.dtype, shape: out.type.shape as number[], data: { kind: "bytes", bytes: folded } };
      graph.initializers.push(out);
      modified = true;
    }
    graph.nodes = kept;
    return { graph, modified };
  }

  private evaluate(node: Node): Uint8Array | null {
    const out = node.outputs[0].type;
    if (!isStaticShape(out.shape) || size(out.shape) > MAX_FOLDED_ELEMENTS) return null;
    const shape = out.shape;
    // Case 3
    if (node.op === "Shape" || node.op === "Size") {
      const input = node.inputs[0]?.type.shape;
      if (!input || !isStaticShape(input)) return null;
      if (node.op === "Size") return encodeScalars([size(input)], "int64");
      const rank = input.length;
      const attr = (name: string, dflt: number): number => {
        const a = node.attrs[name];
        const v = a?.type === "int" ? a.value : dflt;
        return Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
      };
      return encodeScalars(input.slice(attr("start", 0), attr("end", rank)), "int64");
    }
    const evaluator = EVALUATORS.get(node.op);
    if (!evaluator) return null;
    const reads = VALUE_INPUTS[node.op] ?? node.inputs.map((_, i) => i);
    const ins = node.inputs.map((v, i) => (reads.includes(i) ? known(v) : null));
    if (reads.some((i) => ins[i] === null)) return null;
    const values = evaluator(node, ins, { dtype: out.dtype, shape });
    if (!values) return null;
    const dtype = out.dtype;
    if (!isFloat(dtype) && !values.every(Number.isFinite)) return null;
    return encodeScalars(values.map((v) => (isFloat(dtype) ? v : cast(v, dtype))), dtype);
  }
}
