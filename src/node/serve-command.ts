/**
 * `jax2onnx-lab serve`: the converter process Python talks to (python/jax2onnx_lab/_node.py).
 * One request frame in, one reply frame out, in order. A frame that cannot be read is answered
 * with a bad_request error rather than ending the process.
 */
import { decodeMessage, encodeMessage, FrameReader } from "./frames";
import { handleRequest } from "./service";

export function serveCommand(debug: boolean): Promise<number> {
  const reader = new FrameReader();
  return new Promise((resolve) => {
    process.stdin.on("data", (data: Buffer) => {
      for (const frame of reader.push(data)) {
        let reply;
        try {
          const { json, payload } = decodeMessage(frame);
          reply = handleRequest(json as Record<string, unknown>, payload);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          reply = { json: { id: null, ok: false, error: { kind: "bad_request", message: `unreadable request frame: ${message}`, ...(debug && e instanceof Error ? { stack: e.stack } : {}) } }, payload: [] };
        }
        for (const part of encodeMessage(reply.json, reply.payload)) process.stdout.write(part);
      }
    });
    process.stdin.on("end", () => resolve(0));
  });
}
