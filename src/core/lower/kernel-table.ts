/**
 * What onnxruntime can run, per ONNX op and dtype: the measured facts behind kernel-gaps.ts.
 * The data is generated (kernel-table.generated.ts, by scripts/measure-kernels.py, which runs a
 * one-node model per op and dtype in onnxruntime CPU and onnxruntime-web); this file reads it.
 */
import type { DType } from "../ir/dtype";
import type { AttrInput } from "../ir/builder";
import type { Attr } from "../ir/ir";
import { MEASURED_KERNELS } from "./kernel-table.generated";

/** Why an op cannot take a dtype: outside ONNX's type constraint, or a runtime has no kernel. */
export type KernelGapKind = "schema" | "cpu" | "web" | "both";

export interface OpKernels {
  /** Inputs and outputs bound to the op's type constraint T (ONNX schema): what a wider dtype changes. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** The dtypes of T it cannot take, and why; every other dtype runs in both runtimes. */
  readonly gaps: Readonly<Partial<Record<DType, KernelGapKind>>>;
}

export type KernelTable = Readonly<Record<string, OpKernels>>;

export { MEASURED_KERNELS };

/** Ops whose kernels depend on an attribute are measured per value: ScatterND with reduction="add" is "ScatterND.add". */
const KEYED_BY_REDUCTION = new Set(["ScatterND", "ScatterElements"]);

function reductionOf(a: AttrInput | undefined): string | undefined {
  if (typeof a === "string") return a;
  const at = a as Attr | undefined;
  return at?.type === "string" ? at.value : undefined;
}

/** The table's key for `op` with these attributes. */
export function kernelKey(op: string, attrs: Readonly<Record<string, AttrInput>> = {}): string {
  if (!KEYED_BY_REDUCTION.has(op)) return op;
  const reduction = reductionOf(attrs.reduction);
  return reduction && reduction !== "none" ? `${op}.${reduction}` : op;
}

/** The measured entry for a key, or undefined for ops the measurement does not cover (control flow, Constant, ...). */
export function measuredKernels(key: string, table: KernelTable = MEASURED_KERNELS): OpKernels | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Why `key` cannot take `dtype`, or null when both runtimes run it (or it was not measured). */
export function kernelGap(key: string, dtype: DType, table: KernelTable = MEASURED_KERNELS): KernelGapKind | null {
  return measuredKernels(key, table)?.gaps[dtype] ?? null;
}
