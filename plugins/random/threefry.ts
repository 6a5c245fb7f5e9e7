/**
 * The integer core of jax.random's default PRNG: threefry2x32 (the Threefry-2x32 block cipher,
 * 20 rounds: Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011, Threefish's
 * rotation constants [13, 15, 26, 6] / [17, 29, 16, 24] and key parity 0x1BD11BDA) and
 * iota_2x32_shape (the counters: a row-major uint64 iota over `shape` as (high, low) uint32
 * halves). With PRNG keys read as their uint32 data at capture (python/jax2onnx_lab/_keys.py),
 * these and ordinary integer ops are all jax.random lowers to, so the model gives JAX's bits.
 * uint32 Add wraps and BitShift on uint32 has kernels in onnxruntime and onnxruntime-web.
 */
import type { Dim, LoweringContext, LoweringRule, Value } from "../../src/core";
import { cast } from "../lax/kernel_dtypes";

const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];

function rotateLeft(ctx: LoweringContext, v: Value, r: number): Value {
  const left = ctx.op("BitShift", [v, ctx.scalar(r, "uint32")], { direction: "LEFT" });
  const right = ctx.op("BitShift", [v, ctx.scalar(32 - r, "uint32")], { direction: "RIGHT" });
  return ctx.op("BitwiseOr", [left, right]);
}

export const threefry2x32Rule: LoweringRule = {
  primitive: "threefry2x32",
  onnxOps: ["Add", "BitShift", "BitwiseOr", "BitwiseXor"],
  lower(ctx) {
    const [key1, key2, count1, count2] = ctx.inputs();
    const add = (a: Value, b: Value): Value => ctx.op("Add", [a, b]);
    const ks = [key1, key2, ctx.op("BitwiseXor", [ctx.op("BitwiseXor", [key1, key2]), ctx.scalar(0x1bd11bda, "uint32")])];
    let x0 = add(count1, ks[0]);
    let x1 = add(count2, ks[1]);
    // Five groups of four rounds; after group g, key words g+1 and g+2 (mod 3) and the counter g+1 are injected.
    for (let g = 0; g < 5; g++) {
      for (const r of ROTATIONS[g % 2]) {
        x0 = add(x0, x1);
        x1 = ctx.op("BitwiseXor", [x0, rotateLeft(ctx, x1, r)]);
      }
      x0 = add(x0, ks[(g + 1) % 3]);
      x1 = add(add(x1, ks[(g + 2) % 3]), ctx.scalar(g + 1, "uint32"));
    }
    // The operands broadcast (scalar keys against counter arrays); JAX's outputs have the full shape.
    const shape = ctx.shape(ctx.outAval(0).shape);
    return [x0, x1].map((x) => (x.type.shape.length === ctx.outAval(0).shape.length ? x : ctx.op("Expand", [x, shape])));
  },
};

/** A dim as an int64 scalar (computed from the graph inputs when symbolic). */
function dimScalar(ctx: LoweringContext, d: Dim): Value {
  if (typeof d === "number") return ctx.scalar(d, "int64");
  return ctx.op("Reshape", [ctx.builder.dimTensor(d), ctx.int64s([])]);
}

export const iota2x32ShapeRule: LoweringRule = {
  primitive: "iota_2x32_shape",
  onnxOps: ["Range", "Reshape", "Mul", "Add", "Div", "Cast"],
  lower(ctx) {
    const shape = ctx.params.dims("shape");
    const rank = shape.length;
    // counts = sum_d iota_d * stride_d in int64 (exact below 2**63), stride_d = prod(shape[d+1:]).
    let counts: Value | null = null;
    let stride: Value = ctx.scalar(1, "int64");
    for (let d = rank - 1; d >= 0; d--) {
      const n = dimScalar(ctx, shape[d]);
      const iota = ctx.op("Range", [ctx.scalar(0, "int64"), n, ctx.scalar(1, "int64")], {}, { types: [{ dtype: "int64", shape: [shape[d]] }] });
      const along = Array.from({ length: rank }, (_, k) => (k === d ? -1 : 1));
      const term = ctx.op("Mul", [ctx.op("Reshape", [iota, ctx.int64s(along)], {}, { types: [{ dtype: "int64", shape: along.map((v, k) => (k === d ? shape[d] : 1)) }] }), stride]);
      counts = counts ? ctx.op("Add", [counts, term]) : term;
      stride = ctx.op("Mul", [stride, n]);
    }
    if (!counts) return ctx.fail("iota_2x32_shape of rank 0");
    const high = cast(ctx, ctx.op("Div", [counts, ctx.scalar(2 ** 32, "int64")]), "uint32");
    // int64 -> uint32 keeps the low 32 bits (two's complement truncation in onnxruntime).
    const low = cast(ctx, counts, "uint32");
    return [high, low];
  },
};

export const THREEFRY_RULES: LoweringRule[] = [threefry2x32Rule, iota2x32ShapeRule];
