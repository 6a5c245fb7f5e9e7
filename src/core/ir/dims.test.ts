import { broadcastShapes, dimsCompatible, dimSymbols, DimParseError, evalDim, formatShape, mulDims, parseDim, staticSize } from "./dims";

const env = (values: Record<string, number>): Map<string, number> => new Map(Object.entries(values));

describe("parseDim", () => {
  test("a plain symbol and a scaled one", () => {
    expect(parseDim("B")).toEqual({ kind: "sym", name: "B" });
    expect(parseDim("2*B")).toEqual({ kind: "mul", a: { kind: "int", value: 2 }, b: { kind: "sym", name: "B" } });
  });

  test("calls keep their arguments", () => {
    expect(parseDim("floordiv(B, 2)")).toEqual({ kind: "call", fn: "floordiv", args: [{ kind: "sym", name: "B" }, { kind: "int", value: 2 }] });
  });

  // Every form is what str() of a jax.export.symbolic_shape expression prints (JAX 0.10), with
  // its value at B=7, C=3 worked out by hand.
  test.each([
    ["B", 7],
    ["2*B", 14],
    ["B + 1", 8],
    ["-1*B + 5", -2],
    ["- B + 5", -2], // JAX's own spelling of 5 - B
    ["- 2*B + 3", -11],
    ["floordiv(B, 2)", 3],
    ["floordiv(B + 1, 2)", 4],
    ["floordiv(B*C, 2)", 10],
    ["mod(B, 3)", 1],
    ["mod(B^2, 3)", 1],
    ["max(B, 4)", 7],
    ["max(B - 4, 0)", 3],
    ["min(B, 4)", 4],
    ["non_negative(B - 9)", 0],
    ["B^2", 49],
    ["B^3", 343],
    ["B*C", 21],
    ["- C + B", 4],
    ["C - 2*B", -11],
  ])("%s at B=7, C=3 is %d", (text, value) => {
    expect(evalDim(parseDim(text), env({ B: 7, C: 3 }))).toBe(value);
  });

  test("unary minus binds looser than ^ (JAX prints -(B^2) as '- B^2')", () => {
    // Regression: '- B^2' parsed as (-B)^2.
    expect(evalDim(parseDim("- B^2"), env({ B: 3 }))).toBe(-9);
    expect(evalDim(parseDim("- B^2 + 5"), env({ B: 3 }))).toBe(-4);
    expect(evalDim(parseDim("- 3*B^2"), env({ B: 2 }))).toBe(-12);
  });

  test.each(["", "B$", "2*", "(B", "B)", "B C", "3.5", "floordiv(B, 2", "foo(B)", "B +", "*B", "max(B)", "mod(B, 2, 3)"])("rejects %j", (text) => {
    expect(() => parseDim(text)).toThrow(DimParseError);
  });
});

describe("evalDim", () => {
  test("floordiv rounds down and mod takes the divisor's sign, as Python's // and %", () => {
    // Python: -7 // 2 == -4, -7 % 3 == 2
    expect(evalDim(parseDim("floordiv(- B, 2)"), env({ B: 7 }))).toBe(-4);
    expect(evalDim(parseDim("mod(- B, 3)"), env({ B: 7 }))).toBe(2);
  });

  test("a symbol without a value is an error naming it", () => {
    expect(() => evalDim(parseDim("2*B + C"), env({ B: 1 }))).toThrow(/"C"/);
  });
});

test("dimSymbols lists every symbol once", () => {
  expect([...dimSymbols(parseDim("floordiv(B*C, 2) + B + D"))].sort()).toEqual(["B", "C", "D"]);
  expect(dimSymbols(parseDim("4")).size).toBe(0);
});

describe("broadcastShapes", () => {
  test.each([
    [[2, 1, 4], [3, 1], [2, 3, 4]],
    [[], [5], [5]],
    [[1], [], [1]],
    [[4, 1], [1, 1], [4, 1]],
    [[0, 3], [1, 3], [0, 3]],
  ])("static %j and %j give %j", (a, b, out) => {
    expect(broadcastShapes(a, b)).toEqual(out);
  });

  test("incompatible static sizes do not broadcast", () => {
    expect(broadcastShapes([2, 3], [4, 3])).toBeUndefined();
    expect(broadcastShapes([3], [2, 2])).toBeUndefined();
  });

  test("a symbol broadcasts against 1 and against itself", () => {
    expect(broadcastShapes(["B", 1], [1, 4])).toEqual(["B", 4]);
    expect(broadcastShapes(["B", 4], ["B", 4])).toEqual(["B", 4]);
    expect(broadcastShapes(["2*B"], [1])).toEqual(["2*B"]);
  });

  test("two different symbols give an unknown dim", () => {
    expect(broadcastShapes(["B", 3], ["C", 3])).toEqual([null, 3]);
  });

  test("an unknown dim takes the other side's size, except against 1", () => {
    expect(broadcastShapes([null, 3], [5, 3])).toEqual([5, 3]);
    expect(broadcastShapes([5], [null])).toEqual([5]);
    expect(broadcastShapes([null], [1])).toEqual([null]);
    expect(broadcastShapes([null], ["B"])).toEqual(["B"]);
  });
});

test("staticSize, formatShape, dimsCompatible, mulDims", () => {
  expect(staticSize([2, 3, 4])).toBe(24);
  expect(staticSize([])).toBe(1);
  expect(staticSize([2, "B"])).toBeNull();
  expect(formatShape(["B", null, 3])).toBe("[B,?,3]");
  expect(dimsCompatible(null, 3)).toBe(true);
  expect(dimsCompatible("B", "B")).toBe(true);
  expect(dimsCompatible("B", 3)).toBe(false);
  expect(mulDims(3, 4)).toBe(12);
  expect(mulDims(1, "B")).toBe("B");
  expect(mulDims("B", 2)).toBeNull();
  expect(mulDims(null, 1)).toBeNull();
});
