import { onnx } from "../proto/onnx";
import { int64, Int64Error, int64s } from "./int64";

describe("int64", () => {
  test("passes safe integers through", () => {
    expect(int64(0)).toBe(0);
    expect(int64(-1)).toBe(-1);
    expect(int64s([2 ** 53 - 1, -(2 ** 53 - 1)])).toEqual([2 ** 53 - 1, -(2 ** 53 - 1)]);
  });

  test("rejects a bigint, saying what protobufjs would have done with it", () => {
    expect(() => int64(5n as unknown as number)).toThrow(Int64Error);
    expect(() => int64(5n as unknown as number)).toThrow(/bigint would be written as 0/);
  });

  test("rejects numbers that are not safe integers", () => {
    for (const bad of [2 ** 53, -(2 ** 53), 1.5, NaN, Infinity]) expect(() => int64(bad)).toThrow(Int64Error);
    expect(() => int64s([1, 2 ** 60])).toThrow(/not a safe integer/);
  });
});

describe("why: what protobufjs does with int64 fields", () => {
  test("a bigint is encoded as 0, without an error", () => {
    const bytes = onnx.TensorProto.encode({ dims: [5n as unknown as number, 3] }).finish();
    expect(onnx.TensorProto.decode(bytes).dims.map(Number)).toEqual([0, 3]);
  });

  test("past 2^53 a number is already another integer before it is encoded", () => {
    // 2^53 + 1 has no double: the literal is 2^53, and that is what would be written.
    expect(2 ** 53 + 1).toBe(2 ** 53);
    const bytes = onnx.TensorProto.encode({ dims: [2 ** 53 + 1] }).finish();
    expect(String(onnx.TensorProto.decode(bytes).dims[0])).toBe("9007199254740992");
  });
});
