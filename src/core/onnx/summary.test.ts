import { onnx } from "../proto/onnx";
import { handMadeModel } from "../../testing/onnx-fuzz";
import { formatSummary, printable } from "./format-summary";
import { OnnxReadError, readOnnxModel } from "./read-model";
import { summarizeModel } from "./summary";

const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
};

/**
 * A model whose graph nests `levels` subgraphs (Graph.node -> Node.attribute -> Attribute.g ->
 * Graph ...), written straight in the wire format: inside out, so it costs O(levels).
 */
function nestedGraphs(levels: number): Uint8Array {
  // Wrappers from the innermost out: AttributeProto.g = 6, NodeProto.attribute = 5, GraphProto.node = 1.
  const headers: number[][] = [];
  let length = 0;
  for (let i = 0; i < levels; i++) {
    for (const fieldNumber of [6, 5, 1]) {
      const header = [fieldNumber * 8 + 2, ...varint(length)];
      headers.push(header);
      length += header.length;
    }
  }
  const graph = [7 * 8 + 2, ...varint(length)]; // ModelProto.graph = 7
  return Uint8Array.from([8, 10, ...graph, ...headers.reverse().flat()]); // ir_version = 10 first
}

describe("readOnnxModel", () => {
  it.each<[string, Uint8Array, RegExp]>([
    ["empty", new Uint8Array(0), /it is empty/],
    ["random bytes", Uint8Array.from([0xff, 0xff, 0xff, 0x07, 0x01]), /protobuf decoding failed/],
    ["truncated", handMadeModel().slice(0, 200), /protobuf decoding failed.*truncated, corrupted or not ONNX/],
    ["a length past the end", Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07]), /protobuf decoding failed/],
    ["no graph", onnx.ModelProto.encode({ irVersion: 10 }).finish(), /it has no graph/],
    ["no ir_version", onnx.ModelProto.encode({ graph: { name: "g" } }).finish(), /ir_version is 0/],
    ["10,000 nested subgraphs", nestedGraphs(10000), /max depth exceeded/],
  ])("rejects %s with an OnnxReadError", (_name, bytes, message) => {
    expect(() => readOnnxModel(bytes, "m.onnx")).toThrow(OnnxReadError);
    expect(() => readOnnxModel(bytes, "m.onnx")).toThrow(message);
    expect(() => readOnnxModel(bytes, "m.onnx")).toThrow(/^m\.onnx is not a readable ONNX model/);
  });

  it("rejects a message over 2 GiB before decoding it", () => {
    const huge = { byteLength: 2 ** 31 } as Uint8Array;
    expect(() => readOnnxModel(huge)).toThrow(/past protobuf's 2 GiB limit/);
  });

  it("reads the nesting real models have", () => {
    expect(summarizeModel(readOnnxModel(nestedGraphs(20))).subgraphs).toBe(20);
  });
});

describe("summarizeModel", () => {
  it("counts what a model holds, subgraphs and functions included", () => {
    const s = summarizeModel(readOnnxModel(handMadeModel()));
    expect(s.irVersion).toBe(10);
    expect(s.opsets).toEqual([{ domain: "ai.onnx", version: 21 }, { domain: "local", version: 1 }]);
    expect(s.inputs).toEqual([{ name: "x", type: "float32[N]" }, { name: "flag", type: "bool[]" }, { name: "seq", type: "seq(float32[2])" }]);
    expect(s.outputs).toEqual([{ name: "y", type: "float32[N]" }]);
    expect(s.nodes).toBe(4);
    expect(s.subgraphs).toBe(2);
    expect(s.ops).toEqual({ If: 1, Relu: 1, Neg: 1, "local:Double": 1 });
    expect(s.functions).toEqual([{ domain: "local", name: "Double", inputs: ["a"], outputs: ["b"], nodes: 1 }]);
    // w: 2 float_data (8 B); sparse values (4 B) and indices (8 B); big: 4096 B in weights.bin.
    expect(s.initializers).toEqual({ count: 4, inlineBytes: 20, externalBytes: 4096, externalUnknown: 0, externalFiles: ["weights.bin"] });
    expect(s.metadata).toEqual([{ key: "author", value: "tests" }]);
    const text = formatSummary("hand.onnx", s);
    expect(text).toContain("initializers: 4, 20 B in the file; 4.0 KiB in external data (weights.bin)");
    expect(text).toContain("local.Double(a) -> b: 1 nodes");
  });

  it("keeps dims past 2^53 as text, not as a rounded number", () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 10,
      graph: { input: [{ name: "x", type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: "9007199254740993" as unknown as number }] } } } }] },
    }).finish();
    expect(summarizeModel(readOnnxModel(bytes)).inputs[0].type).toBe("float32[9007199254740993]");
  });
});

describe("printable", () => {
  it("escapes terminal controls and bidi overrides, and cuts long names", () => {
    expect(printable("a\u001b]0;owned\u0007b")).toBe("a\\u{1b}]0;owned\\u{7}b");
    expect(printable("\u202egnp.exe")).toBe("\\u{202e}gnp.exe");
    expect(printable("<img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>"); // a terminal shows it as text
    expect(printable("x".repeat(1000), 10)).toBe("xxxxxxxxxx… (990 more characters)");
  });

  it("is applied to every string a model carries", () => {
    const evil = "\u001b[2J\u202e";
    const bytes = onnx.ModelProto.encode({
      irVersion: 10,
      producerName: evil,
      opsetImport: [{ domain: evil, version: 1 }],
      metadataProps: [{ key: evil, value: evil }],
      functions: [{ name: evil, domain: evil, input: [evil], output: [evil], node: [] }],
      graph: { name: evil, input: [{ name: evil, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: evil }] } } } }], node: [{ opType: evil, domain: evil }] },
    }).finish();
    const text = formatSummary(evil, summarizeModel(readOnnxModel(bytes)));
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text.match(/\\u\{1b\}\[2J\\u\{202e\}/g)!.length).toBeGreaterThanOrEqual(10);
  });
});
