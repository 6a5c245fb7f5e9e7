import { concatBytes, convertCapture, encodeCaptureBytes, HOST_TENSOR_LOCATION, joinChunks } from "../../core";
import { onnx } from "../../core/proto/onnx";
import { defaultRegistry } from "../../../plugins";
import { capture, host } from "../../testing/linear-capture";
import { Engine, weightKey, type ModelRunner } from "./engine";

const captureBytes = (): Uint8Array => concatBytes(encodeCaptureBytes(capture));

const noRunner: ModelRunner = {
  run: () => Promise.reject(new Error("not run in this test")),
};

describe("Engine", () => {
  test("converts a capture into a structure-only model that names its host weights", async () => {
    const engine = new Engine(noRunner);
    await engine.request({ type: "load", session: "w", capture: captureBytes() });
    const c = (await engine.request({ type: "convert", session: "w", options: {} }));
    expect(c.weights).toEqual([{ buffer: 0, byteLength: 48, perm: [1, 0], initializer: "linear.kernel" }]);
    const model = onnx.ModelProto.decode(c.structure);
    const kernel = model.graph!.initializer!.find((t) => t.name === "linear.kernel")!;
    expect(kernel.externalData!.find((e) => e.key === "location")!.value).toBe(HOST_TENSOR_LOCATION);
    expect(kernel.rawData?.length ?? 0).toBe(0);
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(expect.arrayContaining(["Gemm", "Tanh"]));
  });

  test("assembles the same bytes as the converter filled by its host, once the weights arrived", async () => {
    const engine = new Engine(noRunner);
    await engine.request({ type: "load", session: "w", capture: captureBytes() });
    await engine.request({ type: "convert", session: "w", options: {} });
    await expect(engine.request({ type: "assemble", session: "w" })).rejects.toThrow(/has not sent 1 weight/);
    const ref = { buffer: 0, byteLength: 48, perm: [1, 0] };
    const weights = host({ kind: "host", dtype: "float32", ...ref });
    expect(await engine.request({ type: "weights", session: "w", weights: [{ ref, bytes: weights }] })).toEqual({ missing: 0 });
    const { model } = (await engine.request({ type: "assemble", session: "w" })) as { model: Uint8Array };
    expect(model).toEqual(joinChunks(convertCapture(capture, { registry: defaultRegistry }).chunks, host));
  });

  test("re-converts with other options and keeps sessions apart", async () => {
    const engine = new Engine(noRunner);
    await engine.request({ type: "load", session: "a", capture: captureBytes() });
    const c = (await engine.request({ type: "convert", session: "a", options: { opset: 17 } }));
    expect(c.summary.opset).toBe(17);
    await expect(engine.request({ type: "convert", session: "b", options: {} })).rejects.toThrow(/no capture loaded for widget b/);
    await engine.request({ type: "drop", session: "a" });
    await expect(engine.request({ type: "assemble", session: "a" })).rejects.toThrow(/no capture loaded/);
  });

  test("weight keys tell transposed uses of one buffer apart", () => {
    expect(weightKey({ buffer: 3 })).toBe("3");
    expect(weightKey({ buffer: 3, perm: [1, 0] })).toBe("3:1,0");
  });
});
