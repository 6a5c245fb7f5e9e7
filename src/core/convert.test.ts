import { defaultRegistry } from "../../plugins";
import { checkAndRunOnnx, runPython } from "../testing/onnx-runners";
import { convertCapture } from "./convert";
import { decodeCapture } from "./interchange/decode";
import { joinChunks } from "./serialize/chunks";
import { B, W, capture, f32, header, host } from "../testing/linear-capture";

describe("convertCapture", () => {
  test("folds the weight transpose into a host perm and types every value", () => {
    const { model, chunks, summary } = convertCapture(capture, { registry: defaultRegistry });

    expect(model.graph.nodes.map((n) => n.op)).not.toContain("Transpose");
    const kernel = model.graph.initializers.find((v) => v.name === "linear.kernel");
    expect(kernel?.tensor).toEqual({ dtype: "float32", shape: [3, 4], data: { kind: "host", buffer: 0, sourceShape: [4, 3], perm: [1, 0] } });
    expect(chunks.filter((c) => !(c instanceof Uint8Array))).toEqual([{ kind: "host", buffer: 0, byteLength: 48, dtype: "float32", perm: [1, 0] }]);

    expect(summary).toMatchObject({ name: "linear", opset: 21, inputs: ["x: float32[B,3]"], outputs: ["y: float32[B,4]"] });
    // The Linear is one Gemm (MatMul + bias fused), named and sourced as the matmul.
    expect(summary.ops).toMatchObject({ Gemm: 1, Tanh: 1 });
    expect(summary.bytes).toBe(joinChunks(chunks, host).byteLength);
    expect(model.metadata).toEqual({ "jax2onnx_lab.capture.jax": "0.10.2", "jax2onnx_lab.capture.python": "3.11.7" });
    const gemm = model.graph.nodes.find((n) => n.op === "Gemm");
    expect(gemm?.metadata).toEqual({ primitive: "dot_general (fused: gemm)", scope: "linear", source: "/home/user/model.py:7:11 (forward)" });
  });

  test("the file passes onnx's full check and onnxruntime matches numpy at another batch size", () => {
    const { chunks } = convertCapture(capture, { registry: defaultRegistry });
    const x = Array.from({ length: 15 }, (_, i) => (i - 7) / 4);
    const result = runPython(
      `
import base64
import numpy as np, onnx, onnxruntime as ort
data = base64.b64decode(INPUT["model"])
model = onnx.load_from_string(data)
onnx.checker.check_model(model, full_check=True)
x = np.array(INPUT["x"], np.float32).reshape(5, 3)
expected = np.tanh(x @ np.array(INPUT["w"], np.float32).T + np.array(INPUT["b"], np.float32))
got = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
emit({"shape": list(got.shape), "max_abs_diff": float(np.abs(got - expected).max()), "input_dims": [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]})
`,
      { model: Buffer.from(joinChunks(chunks, host)).toString("base64"), x, w: W, b: B },
    ) as { shape: number[]; max_abs_diff: number; input_dims: (string | number)[] };
    expect(result.input_dims).toEqual(["B", 3]);
    expect(result.shape).toEqual([5, 4]);
    expect(result.max_abs_diff).toBeLessThanOrEqual(1e-6);
  });

  test("outputs that are an input or repeat a value are valid ONNX (through Identity)", () => {
    // return x, -x, -x
    const identities = decodeCapture(
      {
        ...header,
        model: { name: "outs", inputs: ["x"], outputs: ["same", "negated", "negated_again"] },
        buffers: [],
        jaxpr: {
          invars: [{ id: 0, aval: f32(2) }],
          constvars: [],
          eqns: [{ prim: "neg", in: [{ var: 0 }], out: [{ id: 1, aval: f32(2) }], params: {} }],
          outvars: [{ var: 0 }, { var: 1 }, { var: 1 }],
        },
      },
      [],
    );
    const { chunks } = convertCapture(identities, { registry: defaultRegistry });
    const out = checkAndRunOnnx(joinChunks(chunks, host), { x: { dtype: "float32", shape: [2], data: [1.5, -2] } });
    expect(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data]))).toEqual({ same: [1.5, -2], negated: [-1.5, 2], negated_again: [-1.5, 2] });
  });
});
