/** A small capture for tests: a linear layer whose kernel stays with the host, then tanh. */
import { decodeCapture } from "../core/interchange/decode";
import { encodeScalars } from "../core/ir/dtype";
import type { HostPayload } from "../core/serialize/chunks";

/*
 * y = tanh(x @ W.T + b) with a dynamic batch B, as JAX traces a PyTorch-style linear layer:
 * W [out=4, in=3] stays with the host (a big weight), b [4] is sent inline.
 */
export const W = [
  [0.5, -1, 2],
  [0.25, 0, -0.75],
  [1.5, 3, -2],
  [-0.5, 0.125, 1],
];
export const B = [0.5, -1, 2, 0.25];
export const f32 = (...shape: (number | string)[]) => ({ shape, dtype: "float32" });
const src = { file: 0, line: 7, col: 11, fn: "forward" };

export const header = {
  format: "jax2onnx-lab.capture",
  version: 1,
  producer: { jax: "0.10.2", python: "3.11.7" },
  model: { name: "linear", inputs: ["x"], outputs: ["y"] },
  buffers: [
    { dtype: "float32", shape: [4, 3], byteLength: 48, storage: "host", name: "linear.kernel" },
    { dtype: "float32", shape: [4], byteLength: 16, storage: "inline", name: "linear.bias" },
  ],
  files: ["/home/user/model.py"],
  jaxpr: {
    invars: [{ id: 0, aval: f32("B", 3) }],
    constvars: [
      { id: 1, aval: f32(4, 3), buffer: 0 },
      { id: 2, aval: f32(4), buffer: 1 },
    ],
    eqns: [
      {
        prim: "dot_general",
        in: [{ var: 0 }, { var: 1 }],
        out: [{ id: 3, aval: f32("B", 4) }],
        params: { dimension_numbers: [[[1], [1]], [[], []]], precision: null, preferred_element_type: { $dtype: "float32" } },
        src,
        scope: ["linear"],
      },
      { prim: "broadcast_in_dim", in: [{ var: 2 }], out: [{ id: 4, aval: f32("B", 4) }], params: { shape: [{ $dim: "B" }, 4], broadcast_dimensions: [1], sharding: null }, src, scope: ["linear"] },
      { prim: "add", in: [{ var: 3 }, { var: 4 }], out: [{ id: 5, aval: f32("B", 4) }], params: {}, src, scope: ["linear"] },
      { prim: "tanh", in: [{ var: 5 }], out: [{ id: 6, aval: f32("B", 4) }], params: {}, src: { ...src, line: 8 } },
    ],
    outvars: [{ var: 6 }],
  },
};

export const capture = decodeCapture(header, [encodeScalars(B, "float32")]);

/** The host's side of the contract: its buffer's bytes, transposed by `perm` (2-D, by hand). */
export function host(p: HostPayload): Uint8Array {
  if (p.buffer !== 0) throw new Error(`no host buffer ${p.buffer}`);
  const rows = p.perm?.[0] === 1 ? W[0].map((_, i) => W.map((row) => row[i])) : W;
  return encodeScalars(rows.flat(), "float32");
}

