import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { encodeScalars } from "../../core/ir/dtype";
import { onnx } from "../../core/proto/onnx";
import { layoutGraph } from "../layout/compound";
import { viewGraphFromOnnx } from "../view-model/from-onnx";
import type { ViewGraph } from "../view-model/types";
import { estimateTextWidth, nodeText } from "./box-labels";
import { edgePath } from "./edge-path";
import { ExpansionState } from "./expansion";
import { highlightFor } from "./highlight";
import { inspectorContent, type InspectorContent } from "./inspector-model";
import { SearchIndex } from "./search";
import { SpatialIndex } from "./spatial-index";
import { ViewIndex } from "./view-index";
import { VisibleGraph } from "./visible-graph";

const T = onnx.AttributeProto.AttributeType;
const vi = (name: string, dims: (number | string)[]): onnx.ValueInfoProto.$Properties => ({
  name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
});
const meta = (scope: string) => [
  { key: "jax2onnx_lab.scope", value: scope },
  { key: "jax2onnx_lab.source", value: "model.py:7:3 (Net.__call__)" },
  { key: "jax2onnx_lab.primitive", value: "dot_general" },
];

/** x -> enc{MatMul(W), Add(b)} -> dec{MatMul(V), Relu} -> If(then: Neg) -> y, with our metadata. */
function twoScopes(): ViewGraph {
  const bytes = onnx.ModelProto.encode({
    irVersion: 10,
    producerName: "jax2onnx-lab",
    opsetImport: [{ domain: "", version: 21 }],
    graph: {
      name: "net",
      input: [vi("x", ["B", 3]), vi("c", [])],
      output: [vi("y", ["B", 3])],
      initializer: [
        { name: "W", dims: [3, 3], dataType: 1, rawData: encodeScalars([1, 0, 0, 0, 1, 0, 0, 0, -2], "float32") },
        { name: "b", dims: [3], dataType: 1, rawData: encodeScalars([0, 0, 0], "float32") },
      ],
      valueInfo: [vi("h", ["B", 3])],
      node: [
        { name: "Net/enc/MatMul", opType: "MatMul", input: ["x", "W"], output: ["h"], metadataProps: meta("Net/enc") },
        { name: "Net/enc/Add", opType: "Add", input: ["h", "b"], output: ["e"], metadataProps: meta("Net/enc") },
        { name: "Net/dec/MatMul", opType: "MatMul", input: ["e", "W"], output: ["d"], metadataProps: meta("Net/dec") },
        { name: "Net/dec/Relu", opType: "Relu", input: ["d"], output: ["r"], metadataProps: meta("Net/dec") },
        {
          name: "<img src=x onerror=alert(1)>", opType: "If", input: ["c"], output: ["y"],
          attribute: [{ name: "then_branch", type: T.GRAPH, g: { name: "then", node: [{ opType: "Neg", input: ["r"], output: ["t"] }], output: [vi("t", ["B", 3])] } }],
        },
      ],
    },
  }).finish();
  return viewGraphFromOnnx(bytes);
}

const rowsOf = (c: InspectorContent, title: string) => c.sections.find((s) => s.title === title)?.rows ?? [];

describe("expansion and the visible graph", () => {
  const graph = twoScopes();
  const index = new ViewIndex(graph);

  test("a small graph opens fully; groups and nodes in file order", () => {
    const e = ExpansionState.initial(index, 200);
    expect(e.expandedIds().sort()).toEqual(["n4:g", "n4:then_branch", "s:Net", "s:Net/dec", "s:Net/enc"].sort());
    const v = new VisibleGraph(index, e);
    expect(v.items.map((i) => i.id)).toEqual(["in0", "in1", "s:Net", "s:Net/enc", "n0", "n1", "s:Net/dec", "n2", "n3", "n4:g", "n4", "n4:then_branch", "n4:then_branch/n0", "n4:then_branch/out0", "out0"]);
    // Parents come before children (the layout's contract).
    v.items.forEach((item, i) => expect(item.parent).toBeLessThan(i));
  });

  test("a collapsed group is one box; edges move to it and merge", () => {
    const e = ExpansionState.initial(index, 200);
    e.collapse("s:Net/enc");
    const v = new VisibleGraph(index, e);
    expect(v.items.find((i) => i.id === "s:Net/enc")?.kind).toBe("collapsed");
    expect(v.indexOf.has("n0")).toBe(false);
    expect(v.shownIndex("n0")).toBe(v.indexOf.get("s:Net/enc"));
    const named = v.edges.map((x) => `${v.items[x.source].id}->${v.items[x.target].id}`);
    expect(named).toContain("in0->s:Net/enc");
    expect(named).toContain("s:Net/enc->n2");
    // Relu's output is read inside the If's body: the edge goes to the body node.
    expect(named).toContain("n3->n4:then_branch/n0");
  });

  test("a big graph opens whole levels while the boxes stay within the limit", () => {
    // Top: in0, in1, Net, the If's group, out0 (5). Opening that level adds 2 (enc, dec; the If
    // node, its body): 7. The next level (enc, dec, the body) would add 3 more.
    expect(ExpansionState.initial(index, 6).expandedIds()).toEqual([]);
    const e = ExpansionState.initial(index, 7);
    expect(e.expandedIds()).toEqual(["s:Net", "n4:g"]);
    expect(e.reveal("n0")).toBe(true);
    expect(e.isExpanded("s:Net/enc")).toBe(true);
  });

  test("the layout of the visible graph: groups hold their children", () => {
    const v = new VisibleGraph(index, ExpansionState.initial(index, 200));
    const req = v.layoutRequest(estimateTextWidth);
    const r = layoutGraph(req);
    for (let i = 0; i < v.items.length; i++) {
      const p = v.items[i].parent;
      if (p < 0) continue;
      expect(r.x[i]).toBeGreaterThanOrEqual(r.x[p]);
      expect(r.x[i] + r.width[i]).toBeLessThanOrEqual(r.x[p] + r.width[p] + 1e-9);
      expect(r.y[i]).toBeGreaterThanOrEqual(r.y[p]);
    }
  });
});

describe("search", () => {
  const index = new ViewIndex(twoScopes());
  const search = new SearchIndex(index);

  test("by op type, by node name, by value name, by group", () => {
    expect(search.search("matmul").filter((h) => h.match === "op").map((h) => h.id)).toEqual(["n0", "n2"]);
    expect(search.search("dec/relu")[0]).toMatchObject({ id: "n3", kind: "node", match: "name" });
    // A value hit points at its producer; a weight at its first consumer.
    expect(search.search("h").find((h) => h.match === "value" && h.label === "h")?.id).toBe("n0");
    expect(search.search("W").find((h) => h.match === "value")?.id).toBe("n0");
    expect(search.search("Net/enc")[0]).toMatchObject({ id: "s:Net/enc", kind: "group" });
    expect(search.search("   ")).toEqual([]);
    expect(search.search("nothing-like-this")).toEqual([]);
  });

  test("exact matches first", () => {
    expect(search.search("Add")[0]).toMatchObject({ label: "Add", match: "op" });
  });
});

describe("highlight", () => {
  const index = new ViewIndex(twoScopes());
  const v = new VisibleGraph(index, ExpansionState.initial(index, 200));
  const ids = (set: ReadonlySet<number>) => [...set].map((i) => v.items[i].id).sort();

  test("a node: its input and output edges and the boxes at their ends", () => {
    const h = highlightFor(v, "n2");
    expect(v.items[h.selected].id).toBe("n2");
    expect(ids(h.inputs)).toEqual(["n1"]);
    expect(ids(h.outputs)).toEqual(["n3"]);
    expect(h.edges.size).toBe(2);
  });

  test("an expanded group: the edges crossing its frame", () => {
    const h = highlightFor(v, "s:Net/enc");
    expect(ids(h.inputs)).toEqual(["in0"]);
    expect(ids(h.outputs)).toEqual(["n2"]);
  });

  test("a hidden node lights up the collapsed group that shows it; nothing selected lights nothing", () => {
    const e = ExpansionState.initial(index, 200);
    e.collapse("s:Net/dec");
    const hidden = new VisibleGraph(index, e);
    expect(hidden.items[highlightFor(hidden, "n3").selected].id).toBe("s:Net/dec");
    expect(highlightFor(v, null).selected).toBe(-1);
  });
});

describe("inspector content", () => {
  const index = new ViewIndex(twoScopes());

  test("a node: op, shapes with symbolic dims, the weight and its statistics, source and module", () => {
    const c = inspectorContent(index, "n0");
    expect(c.title).toBe("MatMul");
    expect(rowsOf(c, "Inputs")).toEqual([
      { key: "x", value: "float32[B,3]", code: true, target: "in0" },
      { key: "W", value: "initializer float32[3,3]\nmin -2 · max 1 · mean 0 · std 0.8165 · zeros 6 · NaN 0", code: true },
    ]);
    expect(rowsOf(c, "Outputs")[0]).toMatchObject({ key: "h", value: "float32[B,3]", target: "n1" });
    expect(rowsOf(c, "Source")).toEqual([
      { key: "source", value: "model.py:7:3 (Net.__call__)", code: true },
      { key: "module", value: "Net/enc", code: true },
      { key: "JAX primitive", value: "dot_general", code: true },
    ]);
  });

  test("a subgraph attribute reads as its node count and links to its group", () => {
    const rows = rowsOf(inspectorContent(index, "n4"), "Attributes");
    expect(rows).toEqual([{ key: "then_branch", value: "subgraph then, 1 node", code: true, target: "n4:then_branch" }]);
  });

  test("a group: kind, path, count and the ops inside", () => {
    const c = inspectorContent(index, "s:Net/enc");
    expect(rowsOf(c, "Group").map((r) => r.value)).toEqual(["module scope", "Net/enc", "2"]);
    expect(rowsOf(c, "Operators inside").map((r) => `${r.key}:${r.value}`)).toEqual(["Add:1", "MatMul:1"]);
  });

  test("nothing selected: the model", () => {
    const c = inspectorContent(index, null);
    const model = Object.fromEntries(rowsOf(c, "Model").map((r) => [r.key, r.value]));
    expect(model).toMatchObject({ format: "ONNX v10", producer: "jax2onnx-lab", opsets: "ai.onnx 21", nodes: "6", initializers: "2 (12 elements)" });
    expect(rowsOf(c, "Inputs").map((r) => `${r.key} ${r.value} ${r.target}`)).toEqual(["x float32[B,3] in0", "c float32[] in1"]);
    expect(rowsOf(c, "Operators").map((r) => `${r.key}:${r.value}`)).toEqual(["MatMul:2", "Add:1", "If:1", "Neg:1", "Relu:1"]);
  });

  test("model strings stay strings (the renderer sets them as text)", () => {
    const c = inspectorContent(index, "n4");
    expect(c.subtitle).toBe("<img src=x onerror=alert(1)>");
    expect(nodeText(index.nodes.get("n4")!).title).toBe("If");
  });
});

describe("spatial index", () => {
  test("finds exactly the boxes a brute-force scan finds (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -500, max: 5000 }), fc.integer({ min: -500, max: 5000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 400 })), { maxLength: 200 }),
        fc.tuple(fc.integer({ min: -1000, max: 6000 }), fc.integer({ min: -1000, max: 6000 }), fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4000 })),
        (boxes, [qx, qy, qw, qh]) => {
          const s = new SpatialIndex(boxes.map((b) => b[0]), boxes.map((b) => b[1]), boxes.map((b) => b[2]), boxes.map((b) => b[3]));
          const expected = boxes
            .map((b, i) => (b[0] <= qx + qw && b[0] + b[2] >= qx && b[1] <= qy + qh && b[1] + b[3] >= qy ? i : -1))
            .filter((i) => i >= 0);
          expect(s.search(qx, qy, qx + qw, qy + qh)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("hit test: innermost box first", () => {
    const s = new SpatialIndex([0, 10], [0, 10], [100, 20], [100, 20]);
    expect(s.at(15, 15)).toEqual([1, 0]);
    expect(s.at(500, 500)).toEqual([]);
  });
});

describe("edge paths", () => {
  test("a cubic per segment with vertical tangents", () => {
    expect(edgePath([0, 0, 10, 20])).toBe("M0,0C0,10 10,10 10,20");
    expect(edgePath([0, 0, 0, 10, 5, 30])).toBe("M0,0C0,5 0,5 0,10C0,20 5,20 5,30");
    expect(edgePath([1, 2])).toBe("");
  });
});

describe("no HTML sinks in the widget", () => {
  // Model strings reach the page only as text: a name like `<img src=x onerror=...>` must stay text.
  const SINKS = [/\.html\s*\(/, /innerHTML/, /outerHTML/, /insertAdjacentHTML/, /document\.write/, /createContextualFragment/, /DOMParser/];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.ts$/.test(entry.name) && !entry.name.endsWith(".test.ts")) files.push(p);
    }
  };
  walk(path.resolve(__dirname, ".."));

  test.each(SINKS.map((s) => [s.source]))("%s appears in no widget source", (source) => {
    const sink = new RegExp(source);
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => sink.test(fs.readFileSync(f, "utf8"))).map((f) => path.relative(process.cwd(), f))).toEqual([]);
  });
});
