import { runPython } from "../../testing/onnx-runners";
import { decodeScalars, DTYPES, dtypeFromOnnxCode, encodeScalars, onnxTypeCode, type DType } from "./dtype";

const bits16 = (bytes: Uint8Array): number[] => Array.from({ length: bytes.byteLength / 2 }, (_, i) => bytes[2 * i] | (bytes[2 * i + 1] << 8));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("encodeScalars / decodeScalars round trips", () => {
  // Values each dtype holds exactly, including its extremes.
  test.each<[DType, (number | boolean)[], number[] | null]>([
    ["float32", [1.5, -0.25, Math.fround(0.1), 3.4028234663852886e38, -Infinity], null],
    ["float64", [0.1, -1e300, 5e-324, Math.PI], null],
    ["float16", [1, -2.5, 65504, 2 ** -24, 2 ** -14, Infinity], null],
    ["bfloat16", [1, -3.140625, 2 ** -133, 3.3895313892515355e38], null],
    ["int8", [-128, 127, 0, -1], null],
    ["uint8", [0, 255, 17], null],
    ["int16", [-32768, 32767], null],
    ["uint16", [0, 65535], null],
    ["int32", [-(2 ** 31), 2 ** 31 - 1], null],
    ["uint32", [0, 2 ** 32 - 1], null],
    ["int64", [-(2 ** 53 - 1), 2 ** 53 - 1, -1, 0], null],
    ["uint64", [0, 2 ** 53 - 1], null],
    ["bool", [true, false, true], [1, 0, 1]],
  ])("%s", (dtype, values, decoded) => {
    const bytes = encodeScalars(values, dtype);
    expect(bytes.byteLength).toBe(values.length * DTYPES[dtype].bytes);
    expect(decodeScalars(bytes, dtype)).toEqual(decoded ?? values);
  });

  test("NaN survives float16 and bfloat16", () => {
    expect(decodeScalars(encodeScalars([NaN], "float16"), "float16")[0]).toBeNaN();
    expect(decodeScalars(encodeScalars([NaN], "bfloat16"), "bfloat16")[0]).toBeNaN();
  });

  test("decoding reads a view at any offset", () => {
    const buffer = new Uint8Array([0xee, 0x01, 0x00, 0x00, 0x00]);
    expect(decodeScalars(buffer.subarray(1), "int32")).toEqual([1]);
  });
});

describe("byte layout (TensorProto.raw_data is little-endian)", () => {
  test.each<[DType, number[], string]>([
    ["float32", [1], "0000803f"],
    ["float64", [1], "000000000000f03f"],
    ["int32", [1, -2], "01000000feffffff"],
    ["int64", [-1], "ffffffffffffffff"],
    ["int64", [2 ** 40 + 3], "0300000000010000"],
    ["uint16", [0x1234], "3412"],
  ])("%s %j", (dtype, values, expected) => {
    expect(hex(encodeScalars(values, dtype))).toBe(expected);
  });

  test("int64 beyond 2^53 decodes to the nearest double (documented precision loss)", () => {
    // 2^53 + 1 as int64 little-endian
    const bytes = new Uint8Array([1, 0, 0, 0, 0, 0, 0x20, 0]);
    expect(decodeScalars(bytes, "int64")).toEqual([2 ** 53]);
  });

  test("float8 and complex have no scalar codec", () => {
    expect(() => encodeScalars([1], "float8_e4m3fn")).toThrow(/float8_e4m3fn/);
    expect(() => decodeScalars(new Uint8Array(8), "complex64")).toThrow(/complex64/);
  });
});

describe("half-precision rounding against numpy (float16) and ml_dtypes (bfloat16)", () => {
  // Bit patterns printed by numpy 2 / ml_dtypes for these float64 values.
  test.each<[number, number, number]>([
    [1.0, 0x3c00, 0x3f80],
    [-2.5, 0xc100, 0xc020],
    [0.1, 0x2e66, 0x3dcd],
    [1 / 3, 0x3555, 0x3eab],
    [65504, 0x7bff, 0x4780],
    [65519, 0x7bff, 0x4780], // below float16's halfway to 65536: rounds down
    [65520, 0x7c00, 0x4780], // halfway: rounds to even, which is infinity
    [1e6, 0x7c00, 0x4974],
    [2 ** -14, 0x0400, 0x3880], // smallest normal float16
    [2 ** -24, 0x0001, 0x3380], // smallest subnormal float16
    [2 ** -25, 0x0000, 0x3300], // halfway to the smallest subnormal: to even (zero)
    [3 * 2 ** -25, 0x0002, 0x33c0],
    [1e-8, 0x0000, 0x322c],
    [1 + 2 ** -11, 0x3c00, 0x3f80], // float16 tie: to even
    [1 + 3 * 2 ** -11, 0x3c02, 0x3f80], // float16 tie: to even (up)
    [1 + 2 ** -11 + 2 ** -40, 0x3c01, 0x3f80], // just above a float16 tie: up (regression: went through float32 to a tie)
    [1 + 3 * 2 ** -8, 0x3c0c, 0x3f82], // bfloat16 tie: to even (up)
    [-0, 0x8000, 0x8000],
    [3.4e38, 0x7c00, 0x7f80],
    [-Infinity, 0xfc00, 0xff80],
  ])("%d -> float16 %i, bfloat16 %i", (value, f16, bf16) => {
    expect(bits16(encodeScalars([value], "float16"))).toEqual([f16]);
    expect(bits16(encodeScalars([value], "bfloat16"))).toEqual([bf16]);
  });

  test("a sweep of random values and exact ties matches numpy / ml_dtypes bit for bit", () => {
    let seed = 12345;
    const random = (): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) values.push((random() < 0.5 ? -1 : 1) * 2 ** (random() * 46 - 28));
    // Ties between neighbours of each format, and values a hair off them either way.
    for (let i = 0; i < 1000; i++) {
      const h = Math.floor(random() * 0x7bff);
      const [lo, hi] = decodeScalars(new Uint8Array([h & 0xff, h >> 8, (h + 1) & 0xff, (h + 1) >> 8]), "float16");
      const mid = (lo + hi) / 2;
      values.push(mid, mid * (1 + 2 ** -40), mid * (1 - 2 ** -40));
    }
    for (let i = 0; i < 1000; i++) {
      const b = Math.floor(random() * 0x7f7f);
      const [lo, hi] = decodeScalars(new Uint8Array([b & 0xff, b >> 8, (b + 1) & 0xff, (b + 1) >> 8]), "bfloat16");
      values.push((lo + hi) / 2, lo + (hi - lo) * 0.75);
    }
    const expected = runPython(
      `
import numpy as np, ml_dtypes
v = np.array(INPUT, dtype=np.float64)
with np.errstate(over="ignore"):
    emit({"f16": v.astype(np.float16).view(np.uint16).tolist(), "bf16": v.astype(ml_dtypes.bfloat16).view(np.uint16).tolist()})
`,
      values,
    ) as { f16: number[]; bf16: number[] };
    const mismatches = (dtype: DType, want: number[]): string[] => {
      const got = bits16(encodeScalars(values, dtype));
      return values.flatMap((v, i) => (got[i] === want[i] ? [] : [`${v}: got 0x${got[i].toString(16)}, want 0x${want[i].toString(16)}`]));
    };
    expect(mismatches("float16", expected.f16)).toEqual([]);
    expect(mismatches("bfloat16", expected.bf16)).toEqual([]);
  });

  test("every float16 and bfloat16 bit pattern decodes as numpy / ml_dtypes read it", () => {
    const patterns = new Uint8Array(2 * 65536);
    for (let h = 0; h < 65536; h++) {
      patterns[2 * h] = h & 0xff;
      patterns[2 * h + 1] = h >> 8;
    }
    const out = runPython(`
import base64, numpy as np, ml_dtypes
h = np.arange(65536, dtype=np.uint16)
emit({k: base64.b64encode(h.view(t).astype(np.float64).tobytes()).decode() for k, t in (("f16", np.float16), ("bf16", ml_dtypes.bfloat16))})
`) as { f16: string; bf16: string };
    const asFloat64 = (b64: string): number[] => {
      const bytes = Buffer.from(b64, "base64");
      return Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, 65536));
    };
    // toEqual treats NaN as equal to NaN and tells +0 from -0.
    expect(decodeScalars(patterns, "float16")).toEqual(asFloat64(out.f16));
    expect(decodeScalars(patterns, "bfloat16")).toEqual(asFloat64(out.bf16));
  });
});

test("ONNX data type codes (onnx.proto TensorProto.DataType)", () => {
  expect(onnxTypeCode("float32")).toBe(1);
  expect(onnxTypeCode("int64")).toBe(7);
  expect(onnxTypeCode("bool")).toBe(9);
  expect(onnxTypeCode("float16")).toBe(10);
  expect(onnxTypeCode("bfloat16")).toBe(16);
  expect(dtypeFromOnnxCode(11)).toBe("float64");
  expect(() => dtypeFromOnnxCode(8)).toThrow(/8/); // STRING
});
