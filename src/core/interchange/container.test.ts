import { alignUp, concatBytes, ContainerError, readContainer, writeContainer } from "./container";
import { decodeCaptureBytes } from "./decode";

const header = { buffers: [{ byteLength: 3 }, { byteLength: 0 }, { byteLength: 5 }] };
const sizes = (h: unknown) => (h as typeof header).buffers.map((b, index) => ({ index, size: b.byteLength }));
const blobs = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([4, 5, 6, 7, 8])];

function readError(bytes: Uint8Array, inlineSizes = sizes): ContainerError {
  try {
    readContainer(bytes, inlineSizes);
  } catch (e) {
    if (e instanceof ContainerError) return e;
    throw e;
  }
  throw new Error("read without error");
}

describe("writeContainer / readContainer", () => {
  test("prefix, header, then buffers at 64-byte boundaries (a 0-byte buffer too)", () => {
    const bytes = concatBytes(writeContainer(header, blobs));
    const json = new TextEncoder().encode(JSON.stringify(header));
    expect(Array.from(bytes.subarray(0, 12))).toEqual([..."J2OCAP"].map((c) => c.charCodeAt(0)).concat([1, 0], [json.byteLength & 0xff, json.byteLength >> 8, 0, 0]));
    const first = alignUp(12 + json.byteLength);
    expect(Array.from(bytes.subarray(first, first + 3))).toEqual([1, 2, 3]);
    // The empty buffer sits at the next boundary, so the last one does too.
    const last = alignUp(alignUp(first + 3));
    expect(Array.from(bytes.subarray(last))).toEqual([4, 5, 6, 7, 8]);
    expect(bytes.byteLength).toBe(last + 5);
    const raw = readContainer(bytes, sizes);
    expect(raw.version).toBe(1);
    expect(raw.header).toEqual(header);
    expect(raw.blobs.map((b) => Array.from(b))).toEqual(blobs.map((b) => Array.from(b)));
  });

  test("blobs are views of the container, not copies", () => {
    const bytes = concatBytes(writeContainer(header, blobs));
    const raw = readContainer(bytes, sizes);
    expect(raw.blobs[0].buffer).toBe(bytes.buffer);
  });

  test("a header with non-ASCII text keeps its byte length", () => {
    const h = { buffers: [{ byteLength: 1 }], note: "ünïcode ✓" };
    const raw = readContainer(concatBytes(writeContainer(h, [new Uint8Array([9])])), sizes);
    expect(raw.header).toEqual(h);
    expect(Array.from(raw.blobs[0])).toEqual([9]);
  });
});

describe("container errors", () => {
  const good = () => concatBytes(writeContainer(header, blobs));

  test("wrong magic", () => {
    const bytes = good();
    bytes[5] = "X".charCodeAt(0);
    expect(readError(bytes).message).toMatch(/missing J2OCAP magic/);
    expect(readError(new Uint8Array([74, 50])).message).toMatch(/missing J2OCAP magic/);
  });

  test("another version", () => {
    const bytes = good();
    bytes[6] = 2;
    expect(readError(bytes).message).toMatch(/capture version 2 is not supported \(this converter reads version 1\)/);
  });

  test("truncated header", () => {
    expect(readError(good().subarray(0, 20)).message).toMatch(/truncated inside its header/);
  });

  test("a header that is not JSON", () => {
    const bytes = good();
    bytes[12] = "}".charCodeAt(0);
    expect(readError(bytes).message).toMatch(/capture header is not valid JSON/);
  });

  test("truncated buffer names its buffer-table index", () => {
    const bytes = good();
    // Buffers 0 and 2 are inline, buffer 1 lives with the host.
    const inlineOnly = () => [{ index: 0, size: 3 }, { index: 2, size: 5 }];
    expect(readError(bytes.subarray(0, bytes.byteLength - 1), inlineOnly).message).toMatch(/truncated in buffer 2 \(needs bytes \d+\.\.\d+, the container has \d+\)/);
  });

  test("errors carry their class name (hosts report them as invalid_capture)", () => {
    expect(readError(new Uint8Array(3)).name).toBe("ContainerError");
  });

  test("decodeCaptureBytes names buffer-table indices in byteLength errors", () => {
    const h = {
      buffers: [
        { dtype: "float32", shape: [2], byteLength: 8, storage: "host" },
        { dtype: "float32", shape: [2], byteLength: "8", storage: "inline" },
      ],
    };
    expect(() => decodeCaptureBytes(concatBytes(writeContainer(h, [])))).toThrow("invalid capture at $.buffers[1].byteLength: expected an integer");
  });
});
