import { GraphBuilder } from "../ir/builder";
import { decodeScalars } from "../ir/dtype";
import type { Value } from "../ir/ir";
import { SinkTransposes } from "./sink-transposes";

const ops = (b: GraphBuilder): string[] => b.graph.nodes.map((n) => `${n.op}(${n.inputs.map((v) => v?.name).join(", ")})`);
const bytesOf = (v: Value): number[] => {
  const data = v.tensor?.data;
  if (data?.kind !== "bytes") throw new Error(`${v.name} holds no bytes`);
  return decodeScalars(data.bytes, v.tensor!.dtype);
};

describe("SinkTransposes", () => {
  test("Case 3: Transpose then Add with a constant: the Add first on the permuted constant", () => {
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2, 3] });
    const t = b.op("Transpose", [x], { perm: [1, 0] });
    const c = b.constant([1, 2, 3, 4, 5, 6], "float32", [3, 2], "c");
    b.graph.outputs.push(b.op("Add", [t, c]));
    expect(new SinkTransposes().run(b.graph).modified).toBe(true);
    expect(ops(b)).toEqual(["Add(x, c)", "Transpose(Add_output_0_untransposed)"]);
    // c [[1,2],[3,4],[5,6]] transposed: [[1,3,5],[2,4,6]].
    expect(bytesOf(c)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  test("an op with an input that cannot move stays, and leaves its constants as they were", () => {
    // Where(mask, x, x^T) (eigh reads one triangle so): x is neither a Transpose nor a constant,
    // so nothing moves; the mask once came out permuted because it was moved before x was looked at.
    const b = new GraphBuilder("g");
    const x = b.addInput("x", { dtype: "float32", shape: [2, 2] });
    const mask = b.constant([true, false, true, true], "bool", [2, 2], "mask");
    const t = b.op("Transpose", [x], { perm: [1, 0] });
    b.graph.outputs.push(b.op("Where", [mask, x, t]));
    expect(new SinkTransposes().run(b.graph).modified).toBe(false);
    expect(ops(b)).toEqual(["Transpose(x)", "Where(mask, x, Transpose_output_0)"]);
    expect(bytesOf(mask)).toEqual([1, 0, 1, 1]);
  });
});
