/**
 * Framing for the converter process on stdin/stdout: each frame is a little-endian u32 length,
 * then a message of a u32 JSON length, the UTF-8 JSON, and a binary payload.
 */
export interface Message {
  readonly json: unknown;
  readonly payload: Uint8Array;
}

export function encodeMessage(json: unknown, payload: readonly Uint8Array[] = []): Buffer[] {
  const body = Buffer.from(JSON.stringify(json), "utf8");
  const payloadLength = payload.reduce((n, p) => n + p.byteLength, 0);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(4 + body.byteLength + payloadLength, 0);
  head.writeUInt32LE(body.byteLength, 4);
  return [head, body, ...payload.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))];
}

export function decodeMessage(frame: Uint8Array): Message {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const jsonLength = view.getUint32(0, true);
  const json: unknown = JSON.parse(Buffer.from(frame.buffer, frame.byteOffset + 4, jsonLength).toString("utf8"));
  return { json, payload: frame.subarray(4 + jsonLength) };
}

/** Splits a byte stream into frames as they complete. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  push(data: Buffer): Uint8Array[] {
    this.pending.push(data);
    this.pendingLength += data.byteLength;
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.pendingLength < 4) break;
      let buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
      this.pending = [buf];
      const length = buf.readUInt32LE(0);
      if (buf.byteLength < 4 + length) break;
      frames.push(buf.subarray(4, 4 + length));
      buf = buf.subarray(4 + length);
      this.pending = buf.byteLength ? [buf] : [];
      this.pendingLength = buf.byteLength;
    }
    return frames;
  }
}
