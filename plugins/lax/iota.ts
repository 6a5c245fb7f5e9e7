/**
 * lax.iota(dtype, shape, dimension): 0..shape[dimension]-1 along `dimension`, broadcast to
 * `shape`. Range (length may be symbolic) then Unsqueeze/Expand like broadcast_in_dim.
 * lax dim_as_value: a symbolic dim as a scalar, computed from the graph inputs' shapes.
 */
import { onnxTypeCode, type LoweringRule } from "../../src/core";

export const iotaRule: LoweringRule = {
  primitive: "iota",
  onnxOps: ["Range", "Cast", "Unsqueeze", "Expand"],
  lower(ctx) {
    const dtype = ctx.params.dtype("dtype");
    const shape = ctx.params.dims("shape");
    const dim = ctx.params.int("dimension");
    const n = shape[dim];
    const limit = typeof n === "number" ? ctx.scalar(n, "int64") : ctx.op("Squeeze", [ctx.shape([n]), ctx.int64s([0])]);
    let line = ctx.op("Range", [ctx.scalar(0, "int64"), limit, ctx.scalar(1, "int64")], {}, { types: [{ dtype: "int64", shape: [n] }] });
    if (dtype !== "int64") line = ctx.op("Cast", [line], { to: onnxTypeCode(dtype) });
    if (shape.length === 1) return line;
    const others = shape.map((_, i) => i).filter((i) => i !== dim);
    const column = ctx.op("Unsqueeze", [line, ctx.int64s(others)]);
    return ctx.op("Expand", [column, ctx.shape(shape.map((d, i) => (i === dim ? 1 : d)))], {}, { types: [ctx.outType()] });
  },
};

export const dimAsValueRule: LoweringRule = {
  primitive: "dim_as_value",
  onnxOps: ["Shape", "Squeeze", "Cast"],
  lower(ctx) {
    const value = ctx.op("Squeeze", [ctx.shape([ctx.params.dim("dim")]), ctx.int64s([0])]);
    const dtype = ctx.outAval().dtype;
    return dtype === "int64" ? value : ctx.op("Cast", [value], { to: onnxTypeCode(dtype) });
  },
};
