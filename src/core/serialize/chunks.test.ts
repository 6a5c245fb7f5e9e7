import { Writer } from "protobufjs/minimal";
import { onnx } from "../proto/onnx";
import { chunkLength, coalesce, field, fieldHeader, joinChunks, totalLength, varint, type Chunk, type HostPayload } from "./chunks";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const payload = (buffer: number, byteLength: number): HostPayload => ({ kind: "host", buffer, byteLength, dtype: "float32" });
const noPayloads = (): Uint8Array => {
  throw new Error("no payloads expected");
};

describe("varint", () => {
  test.each([
    [0, "00"],
    [1, "01"],
    [127, "7f"],
    [128, "8001"],
    [300, "ac02"], // the protobuf encoding guide's example
    [2 ** 32, "8080808010"],
    [2 ** 53 - 1, "ffffffffffffff0f"],
  ])("%d is %s", (n, expected) => {
    expect(hex(varint(n))).toBe(expected);
  });

  test("agrees with protobufjs's own uint64 writer", () => {
    for (let e = 0; e < 53; e++) {
      for (const n of [2 ** e - 1, 2 ** e, 2 ** e + 1, Math.floor(2 ** e * 1.37)]) {
        if (!Number.isSafeInteger(n)) continue;
        expect(hex(varint(n))).toBe(hex(Writer.create().uint64(n).finish()));
      }
    }
  });

  test.each([-1, 1.5, 2 ** 53, NaN])("rejects %d", (n) => {
    expect(() => varint(n)).toThrow(/varint/);
  });
});

describe("fields", () => {
  test("a header is the tag (field << 3 | 2) then the body length", () => {
    expect(hex(fieldHeader(5, 3))).toBe("2a03");
    expect(hex(fieldHeader(16, 200))).toBe("8201c801");
  });

  test("a field frames its body without copying it", () => {
    const body = new Uint8Array([1, 2, 3]);
    const host = payload(4, 10);
    const chunks = field(9, [body, host]);
    expect(chunks).toHaveLength(3);
    expect(hex(chunks[0] as Uint8Array)).toBe("4a0d"); // field 9, 13 bytes
    expect(chunks[1]).toBe(body);
    expect(chunks[2]).toBe(host);
    expect(totalLength(chunks)).toBe(15);
    expect(chunkLength(host)).toBe(10);
  });

  test("a framed raw_data is what protobufjs writes for TensorProto.raw_data", () => {
    const raw = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    expect(hex(joinChunks(field(9, [raw]), noPayloads))).toBe(hex(onnx.TensorProto.encode({ rawData: raw }).finish()));
  });
});

describe("coalesce", () => {
  test("merges runs of small arrays, keeps payloads and big arrays as they are", () => {
    const [a, b, c] = [new Uint8Array([1]), new Uint8Array([2, 3]), new Uint8Array([4])];
    const big = new Uint8Array(8).fill(9);
    const host = payload(0, 4);
    const chunks: Chunk[] = [a, b, host, c, big, a];

    const out = coalesce(chunks, 4);

    expect(out).toHaveLength(5);
    expect(hex(out[0] as Uint8Array)).toBe("010203");
    expect(out[1]).toBe(host);
    expect(out[2]).toBe(c); // a run of one is not copied
    expect(out[3]).toBe(big);
    expect(out[4]).toBe(a);
    const fill = (): Uint8Array => new Uint8Array([7, 7, 7, 7]);
    expect(hex(joinChunks(out, fill))).toBe(hex(joinChunks(chunks, fill)));
  });
});

describe("joinChunks", () => {
  test("fills each placeholder from the resolver, in order", () => {
    const chunks: Chunk[] = [new Uint8Array([1]), payload(3, 2), new Uint8Array([9]), payload(5, 1)];
    const asked: number[] = [];
    const joined = joinChunks(chunks, (p) => {
      asked.push(p.buffer);
      return new Uint8Array(p.byteLength).fill(p.buffer);
    });
    expect(hex(joined)).toBe("0103030905");
    expect(asked).toEqual([3, 5]);
  });

  test("a payload of the wrong size is an error naming its buffer", () => {
    expect(() => joinChunks([payload(2, 4)], () => new Uint8Array(3))).toThrow("payload for buffer 2 has 3 bytes, expected 4");
  });
});
