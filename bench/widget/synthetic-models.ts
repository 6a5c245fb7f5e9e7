/**
 * Generated ONNX models for the widget bench: transformer-like layers of ~20 nodes (attention,
 * MLP, norms, residual adds, long skip edges), so graphs have the shape and fan-out of real ones.
 * `nested`: PyTorch-style scoped names (`/encoder/layer.3/attn/MatMul`) that the view model turns
 * into groups; flat: the same graph with unscoped names (no groups).
 */
import { onnx } from "../../src/core/proto/onnx";

const FLOAT = 1;
const vi = (name: string, dims: (number | string)[]): onnx.ValueInfoProto.$Properties => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
});

export interface SyntheticOptions {
  readonly nodes: number;
  readonly nested: boolean;
  /** Layers per block: the nesting is encoder/block.i/layer.j/(attn|mlp|norm). */
  readonly layersPerBlock?: number;
}

export function syntheticModel({ nodes, nested, layersPerBlock = 8 }: SyntheticOptions): Uint8Array {
  const node: onnx.NodeProto.$Properties[] = [];
  const initializer: onnx.TensorProto.$Properties[] = [];
  let counter = 0;
  const weight = (name: string, dims: number[]): string => {
    initializer.push({
      name, dims, dataType: FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: "location", value: "weights.bin" }, { key: "offset", value: String(counter * 4096) }, { key: "length", value: String(dims.reduce((a, b) => a * b, 4)) }],
    });
    counter++;
    return name;
  };
  let x = "x";
  let layer = 0;
  const emit = (scope: string, op: string, inputs: string[], attrs: onnx.AttributeProto.$Properties[] = []): string => {
    const k = node.length;
    const name = nested ? `/${scope}/${op}_${k}` : `${op}_${k}`;
    const out = `t${k}`;
    node.push({ name, opType: op, input: inputs, output: [out], attribute: attrs });
    return out;
  };
  while (node.length < nodes) {
    const block = Math.floor(layer / layersPerBlock);
    const base = `encoder/block.${block}/layer.${layer % layersPerBlock}`;
    const residual = x;
    const n1 = emit(`${base}/norm1`, "LayerNormalization", [x, weight(`l${layer}.ln1.w`, [64]), weight(`l${layer}.ln1.b`, [64])]);
    const q = emit(`${base}/attn`, "MatMul", [n1, weight(`l${layer}.q`, [64, 64])]);
    const k = emit(`${base}/attn`, "MatMul", [n1, weight(`l${layer}.k`, [64, 64])]);
    const v = emit(`${base}/attn`, "MatMul", [n1, weight(`l${layer}.v`, [64, 64])]);
    const kt = emit(`${base}/attn`, "Transpose", [k], [{ name: "perm", type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] }]);
    const s = emit(`${base}/attn`, "MatMul", [q, kt]);
    const sc = emit(`${base}/attn`, "Mul", [s, weight(`l${layer}.scale`, [1])]);
    const p = emit(`${base}/attn`, "Softmax", [sc], [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: -1 }]);
    const o = emit(`${base}/attn`, "MatMul", [p, v]);
    const proj = emit(`${base}/attn`, "MatMul", [o, weight(`l${layer}.o`, [64, 64])]);
    const a1 = emit(base, "Add", [proj, residual]);
    const n2 = emit(`${base}/norm2`, "LayerNormalization", [a1, weight(`l${layer}.ln2.w`, [64]), weight(`l${layer}.ln2.b`, [64])]);
    const h = emit(`${base}/mlp`, "MatMul", [n2, weight(`l${layer}.fc1`, [64, 256])]);
    const hb = emit(`${base}/mlp`, "Add", [h, weight(`l${layer}.fc1.b`, [256])]);
    const g = emit(`${base}/mlp`, "Gelu", [hb]);
    const h2 = emit(`${base}/mlp`, "MatMul", [g, weight(`l${layer}.fc2`, [256, 64])]);
    const h2b = emit(`${base}/mlp`, "Add", [h2, weight(`l${layer}.fc2.b`, [64])]);
    x = emit(base, "Add", [h2b, a1]);
    layer++;
  }
  const last = node[node.length - 1];
  last.output = ["y"];
  return onnx.ModelProto.encode({
    irVersion: 10,
    producerName: "jax2onnx-lab bench",
    opsetImport: [{ domain: "", version: 21 }],
    graph: { name: `synthetic_${nested ? "nested" : "flat"}_${nodes}`, node, initializer, input: [vi("x", ["B", "T", 64])], output: [vi("y", ["B", "T", 64])] },
  }).finish();
}
