/*
 * The widget's logic against a hand-written model port (as anywidget's tests use a mock comm)
 * and the real engine in-process; only onnxruntime is replaced, by a runner that answers with
 * given outputs, so the comparison and the kernel round trips are what is tested here.
 */
import { concatBytes, decodeCapture, encodeCaptureBytes, encodeScalars, type Capture } from "../core";
import { B, capture, header, host } from "../testing/linear-capture";
import { Engine, type ModelRunner } from "./engine/engine";
import type { TensorBytes } from "./engine/protocol";
import { WidgetSession, type Display, type ModelPort, type ParityState } from "./session";

/** The linear layer with its tanh replaced by a primitive no rule lowers. */
const unsupported = decodeCapture(
  { ...header, jaxpr: { ...header.jaxpr, eqns: header.jaxpr.eqns.map((e) => (e.prim === "tanh" ? { ...e, prim: "my_custom_op" } : e)) } },
  [encodeScalars(B, "float32")],
);

const containerBytes = (of: Capture = capture): Uint8Array => concatBytes(encodeCaptureBytes(of));

class FakeModel implements ModelPort {
  readonly sent: { content: Record<string, unknown>; buffers: unknown[] }[] = [];
  constructor(
    readonly traits: Record<string, unknown>,
    private readonly kernel: (content: Record<string, unknown>) => { content: Record<string, unknown>; buffers: DataView[] } | null = () => null,
  ) {}
  session: WidgetSession | null = null;
  get(name: string): unknown {
    return this.traits[name];
  }
  set(values: Record<string, unknown>): void {
    Object.assign(this.traits, values);
  }
  send(content: Record<string, unknown>, buffers: unknown[] = []): void {
    this.sent.push({ content, buffers });
    const reply = this.kernel(content);
    // The kernel answers after the message is sent, as a comm does.
    if (reply) queueMicrotask(() => this.session!.onMessage(reply.content, reply.buffers));
  }
}

function recordingDisplay(): Display & { parities: ParityState[]; errors: (string | null)[]; graphs: Uint8Array[] } {
  const d = {
    parities: [] as ParityState[],
    errors: [] as (string | null)[],
    graphs: [] as Uint8Array[],
    graph: async (bytes: Uint8Array) => void d.graphs.push(bytes),
    error: (t: string | null) => void d.errors.push(t),
    summary: () => undefined,
    parity: (s: ParityState) => void d.parities.push(s),
    status: () => undefined,
  };
  return d;
}

const f32 = (name: string, shape: number[], values: number[]): TensorBytes => ({ name, dtype: "float32", shape, data: encodeScalars(values, "float32") });

/** Parity inputs/outputs as the kernel lays them out: one blob, offsets per tensor. */
function parityTraits(inputs: TensorBytes[], outputs: TensorBytes[]) {
  let offset = 0;
  const meta = (t: TensorBytes) => {
    const m = { name: t.name, dtype: t.dtype, shape: t.shape, offset, length: t.data.byteLength };
    offset += t.data.byteLength;
    return m;
  };
  const parity_case = { inputs: inputs.map(meta), outputs: outputs.map(meta), tolerances: { float32: [1e-4, 1e-5] } };
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const t of [...inputs, ...outputs]) (blob.set(t.data, at), (at += t.data.byteLength));
  return { parity_case, parity_data: new DataView(blob.buffer) };
}

const kernelSendingWeights = (content: Record<string, unknown>) => {
  if (content.type !== "weights") return null;
  const refs = content.refs as { buffer: number; byteLength: number; perm?: number[] }[];
  const buffers = refs.map((r) => {
    const b = host({ kind: "host", dtype: "float32", ...r });
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  });
  return { content: { type: "weights", refs }, buffers };
};

function setup(actual: TensorBytes[], expected: TensorBytes[], config: Record<string, unknown> = { parity: "browser" }, program: Capture = capture) {
  const runs: Uint8Array[] = [];
  const runner: ModelRunner = {
    run: async (model) => {
      runs.push(model);
      return { outputs: actual, milliseconds: 1, sessionMilliseconds: 1 };
    },
  };
  const x = f32("x", [1, 3], [1, 2, 3]);
  const model = new FakeModel({ capture: new DataView(containerBytes(program).buffer), config, tensor_stats: { "0": { min: -2 } }, ...parityTraits([x], expected) }, kernelSendingWeights);
  const display = recordingDisplay();
  const session = new WidgetSession(model, new Engine(runner), display, "test");
  model.session = session;
  return { model, display, session, runs };
}

describe("WidgetSession", () => {
  test("converts, fetches the weights once, runs parity and reports it as the parity trait", async () => {
    const y = f32("out_0", [1, 4], [0.1, 0.2, 0.3, 0.4]);
    const { model, display, session, runs } = setup([{ ...y, name: "y" }], [y]);
    await session.start();
    expect(display.graphs).toHaveLength(1);
    expect(model.traits.conversion).toMatchObject({ ok: true, summary: { name: "linear" } });
    expect(model.sent.map((m) => m.content.type)).toEqual(["weights"]);
    expect(runs).toHaveLength(1);
    expect(model.traits.parity).toMatchObject({ runtime: "onnxruntime-web", ok: true, outputs: [{ name: "out_0", ok: true, max_abs: 0 }] });
    // Another opset converts again; the weights are not fetched a second time.
    await session.convert({ opset: 17 });
    expect(model.sent.map((m) => m.content.type)).toEqual(["weights"]);
    expect(model.traits.parity).toMatchObject({ ok: true, options: { opset: 17 } });
  });

  test("a NaN where JAX has a number fails, and is counted", async () => {
    const y = f32("out_0", [1, 4], [0.1, 0.2, 0.3, 0.4]);
    const { model, session } = setup([f32("y", [1, 4], [0.1, NaN, 0.3, 0.4])], [y]);
    await session.start();
    expect(model.traits.parity).toMatchObject({ ok: false, outputs: [{ ok: false, mismatches: 1, nan: { onnx: 1, jax: 0 }, max_abs: Infinity }] });
  });

  test("NaN and infinities where JAX has them too pass, within the float32 tolerance", async () => {
    const y = f32("out_0", [1, 4], [NaN, Infinity, -Infinity, 1]);
    const { model, session } = setup([f32("y", [1, 4], [NaN, Infinity, -Infinity, 1 + 5e-5])], [y]);
    await session.start();
    expect(model.traits.parity).toMatchObject({ ok: true, outputs: [{ ok: true, nan: { onnx: 1, jax: 1 }, inf: { onnx: 2, jax: 2 } }] });
  });

  test("a shape that differs from JAX's fails with the reason", async () => {
    const { model, session } = setup([f32("y", [4], [0, 0, 0, 0])], [f32("out_0", [1, 4], [0, 0, 0, 0])]);
    await session.start();
    expect(model.traits.parity).toMatchObject({ ok: false, outputs: [{ reason: "ONNX gives float32[4], JAX float32[1,4]" }] });
  });

  test("save sends the structure's chunk table and bytes; the kernel fills the weights", async () => {
    const { model, session } = setup([], [], { parity: "off", fileName: "m.onnx" });
    await session.start();
    session.save();
    const save = model.sent.find((m) => m.content.type === "save")!;
    const table = save.content.table as ({ bytes: [number, number] } | { buffer: number; byteLength: number })[];
    expect(table.filter((c) => "buffer" in c)).toEqual([{ buffer: 0, byteLength: 48, perm: [1, 0] }]);
    const payload = save.buffers[0] as ArrayBuffer;
    const bytesTotal = table.reduce((n, c) => n + ("bytes" in c ? c.bytes[1] : 0), 0);
    expect(payload.byteLength).toBe(bytesTotal);
  });

  test("a conversion failure is shown as text and reported, not thrown", async () => {
    const { model, display, session, runs } = setup([], [], { parity: "browser" }, unsupported);
    await session.start();
    expect(model.traits.conversion).toMatchObject({ ok: false, error: { kind: "unsupported_primitives" } });
    expect(display.errors.at(-1)).toMatch(/no ONNX lowering rule: my_custom_op[\s\S]*model\.py:8/);
    expect(runs).toHaveLength(0);
  });

  test("a kernel error is shown and parity does not run", async () => {
    const { model, display, session } = setup([], [], { parity: "browser" });
    model.traits.error = "Cannot convert: 1 JAX primitive has no ONNX lowering rule: foo.";
    await session.start();
    expect(display.errors[0]).toMatch(/no ONNX lowering rule: foo/);
    expect(model.sent).toHaveLength(0);
  });
});
