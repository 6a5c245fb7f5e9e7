import { ParamError, Params } from "./params";

const params = new Params("gather", {
  slice_sizes: [1, { kind: "dim", expr: "B" }],
  mode: { kind: "enum", type: "GatherScatterMode", name: "CLIP" },
  fill_value: 2,
  dimension_numbers: { kind: "struct", type: "GatherDimensionNumbers", fields: { offset_dims: [1], collapsed_slice_dims: [0] } },
  sharding_like: { kind: "opaque", type: "NamedSharding" },
  nested: [[1, 2], [3, "x"]],
  none: null,
});

describe("Params accessors", () => {
  test("read what rules need", () => {
    expect(params.dims("slice_sizes")).toEqual([1, "B"]);
    expect(params.enumName("mode", "GatherScatterMode")).toBe("CLIP");
    expect(params.float("fill_value")).toBe(2); // a float param read back from a bare 2
    expect(params.structFields("dimension_numbers", "GatherDimensionNumbers").ints("offset_dims")).toEqual([1]);
    expect(params.ints("nested", 0)).toEqual([1, 2]);
    expect(params.isNone("none") && params.isNone("absent")).toBe(true);
    expect(params.names()).toContain("sharding_like");
  });

  test.each<[string, () => unknown, string]>([
    ["a missing param", () => params.int("axes"), 'primitive "gather": param "axes" is missing'],
    ["an opaque param", () => params.get("sharding_like"), 'primitive "gather": param "sharding_like" holds a NamedSharding'],
    ["the wrong kind", () => params.int("mode"), 'primitive "gather": param "mode" is enum, expected an int'],
    ["the wrong enum type", () => params.enumName("mode", "RoundingMethod"), "expected RoundingMethod enum"],
    ["a non-int in a tuple", () => params.ints("nested", 1), 'param "nested[1][1]" is string, expected an int'],
    ["an index past a tuple", () => params.tuple("nested", 5), 'param "nested" has no element 5'],
    ["a struct field", () => params.structFields("dimension_numbers").int("offset_dims"), 'primitive "gather.dimension_numbers": param "offset_dims" is tuple'],
  ])("%s fails naming primitive and param", (_, read, message) => {
    expect(read).toThrow(ParamError);
    expect(read).toThrow(message);
  });
});
