/**
 * What a rule sees while it lowers one eqn: its inputs as typed values, the builder (with the
 * eqn's scope and source already stamped), helpers for constants and shapes, and `fail` for a
 * reason a user can read. Naming, typing and provenance happen here, never in a rule.
 */
import type { AttrInput, GraphBuilder, OpOptions } from "../ir/builder";
import { irTypeOf } from "../ir/complex";
import { emitWithKernel } from "./kernel-gaps";
import type { Dim } from "../ir/dims";
import { onnxTypeCode, type DType } from "../ir/dtype";
import type { Graph, TensorType, Value } from "../ir/ir";
import type { Aval, Eqn, FunctionCall, Jaxpr, SourceLoc } from "../interchange/capture";
import type { Params } from "../interchange/params";

/** Thrown by `ctx.fail`: the lowering reports it with the eqn's primitive, shapes and source. */
export class RuleFailure extends Error {
  override name = "RuleFailure";
}

export interface JaxprLowering {
  readonly builder: GraphBuilder;
  readonly opset: number;
  /** `source`: where eqns without a source of their own (library internals) point instead. */
  lowerJaxpr(jaxpr: Jaxpr, inputs: readonly Value[], scope: readonly string[], source?: SourceLoc): Value[];
  /** Lowers a nested jaxpr as a call of a model-local ONNX function (see lower/functions.ts). */
  callFunction(fn: FunctionCall, jaxpr: Jaxpr, inputs: readonly Value[], scope: readonly string[], source?: SourceLoc): Value[];
  /** Lowers `eqn` with the real table's rule (complex rules reuse real ones on the parts). */
  lowerWithRealRule(eqn: Eqn, inputs: readonly Value[], scope: readonly string[], source?: SourceLoc): Value[];
  /** Builds a subgraph with formal inputs of `inputs` types; `build` emits into it and returns its outputs. */
  subgraph(name: string, inputs: readonly TensorType[], build: (inputs: Value[]) => readonly Value[]): Graph;
}

export class LoweringContext {
  constructor(
    private readonly lowering: JaxprLowering,
    readonly eqn: Eqn,
    private readonly inputValues: readonly Value[],
    readonly scope: readonly string[],
    /** The eqn's source, or the caller's when the eqn is inside library code. */
    readonly source?: SourceLoc,
  ) {}

  get builder(): GraphBuilder {
    return this.lowering.builder;
  }

  get opset(): number {
    return this.lowering.opset;
  }

  get params(): Params {
    return this.eqn.params;
  }

  input(i: number): Value {
    const v = this.inputValues[i];
    if (!v) this.fail(`expected at least ${i + 1} inputs, got ${this.inputValues.length}`);
    return v;
  }

  inputs(): Value[] {
    return [...this.inputValues];
  }

  inAval(i: number): Aval {
    const a = this.eqn.inputs[i];
    return a.kind === "var" ? a.var.aval : a.aval;
  }

  outAval(i = 0): Aval {
    return this.eqn.outputs[i].aval;
  }

  /**
   * The JAX type of output i as an IR type (for ops whose result the type rules cannot pin);
   * complex outputs as their real pairs (src/core/ir/complex.ts).
   */
  outType(i = 0): TensorType {
    return irTypeOf(this.outAval(i));
  }

  /** The value of a scalar literal input, or null when input i is not a literal. */
  literal(i: number): number | boolean | null {
    const a = this.eqn.inputs[i];
    if (a.kind !== "literal" || !("value" in a)) return null;
    return typeof a.value === "object" ? Number(a.value.bigint) : a.value;
  }

  /**
   * Emits an ONNX op. Where onnxruntime cannot run it at its inputs' dtype, kernel-gaps.ts emits
   * an exact equivalent instead (the same op in a wider dtype, or a rewrite in the same dtype).
   */
  op(op: string, inputs: readonly (Value | null)[], attrs?: Readonly<Record<string, AttrInput>>, opts?: OpOptions): Value {
    if ((opts?.outputs ?? 1) !== 1) return this.builder.op(op, inputs, attrs, opts);
    return this.ops(op, inputs, attrs, opts)[0];
  }

  /** `op` for ops with several outputs (TopK, Split, ...). */
  ops(op: string, inputs: readonly (Value | null)[], attrs?: Readonly<Record<string, AttrInput>>, opts?: OpOptions): Value[] {
    if (!opts?.domain) {
      const replaced = emitWithKernel(this.builder, op, inputs, attrs ?? {}, opts ?? {});
      if (replaced) return replaced;
    }
    return this.builder.ops(op, inputs, attrs, opts);
  }

  /** `x` as `dtype` (ONNX Cast; `x` itself when it has that dtype already). */
  cast(x: Value, dtype: DType): Value {
    return x.type.dtype === dtype ? x : this.op("Cast", [x], { to: onnxTypeCode(dtype) });
  }

  scalar(value: number | boolean | bigint, dtype: DType): Value {
    return this.builder.scalar(value, dtype);
  }

  int64s(values: readonly number[]): Value {
    return this.builder.int64s(values);
  }

  constant(values: readonly (number | boolean | bigint)[], dtype: DType, shape?: readonly number[]): Value {
    return this.builder.constant(values, dtype, shape);
  }

  /** An int64 shape tensor; symbolic dims are computed from the graph inputs at run time. */
  shape(dims: readonly Dim[]): Value {
    return this.builder.shapeTensor(dims);
  }

  constantValues(v: Value): readonly number[] | null {
    return this.builder.constantValues(v);
  }

  /**
   * Lowers `eqn` (typically a copy of this eqn with other avals) with the real table's rule on
   * `inputs`. Complex rules use it to run a real rule on the real and imaginary parts.
   */
  lowerWithRealRule(eqn: Eqn, inputs: readonly Value[]): Value[] {
    return this.lowering.lowerWithRealRule(eqn, inputs, this.scope, this.source);
  }

  /** Lowers a nested closed jaxpr in place (inlining jit, custom_jvp_call, ...). */
  inline(jaxpr: Jaxpr, inputs: readonly Value[]): Value[] {
    return this.lowering.lowerJaxpr(jaxpr, inputs, this.scope, this.source);
  }

  /** Lowers a nested closed jaxpr as an ONNX function call (an `@onnx_function` call). */
  callFunction(fn: FunctionCall, jaxpr: Jaxpr, inputs: readonly Value[]): Value[] {
    return this.lowering.callFunction(fn, jaxpr, inputs, this.scope, this.source);
  }

  /**
   * A subgraph (an If branch, a Loop or Scan body) for an attribute of the node the rule is about
   * to emit. `build` gets the subgraph's formal inputs (typed as given) and returns its outputs;
   * everything it emits (ctx.op, ctx.inline, ...) goes into the subgraph, and it may read any value
   * of the enclosing graphs directly (ONNX outer-scope references). Constants and symbolic dims
   * are made in the outermost graph. Outputs that are not the subgraph's own values get an Identity.
   */
  subgraph(name: string, inputs: readonly TensorType[], build: (inputs: Value[]) => readonly Value[]): Graph {
    return this.lowering.subgraph(name, inputs, build);
  }

  fail(reason: string): never {
    throw new RuleFailure(reason);
  }
}
