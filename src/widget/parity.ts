/**
 * Parity: do onnxruntime-web's outputs match JAX's? Per output, the largest absolute and relative
 * error and a pass/fail at the tolerance the kernel states for the output's dtype:
 * |onnx - jax| <= atol + rtol * |jax| elementwise. NaN and infinities are counted and match only
 * where JAX has the same (a NaN in ONNX where JAX has a number fails), never compared away.
 * Field names are snake_case: the result reaches Python as the widget's `parity` trait.
 */
import type { TensorBytes } from "./engine/protocol";
import { toNumbers } from "./engine/tensor-bytes";

export type Tolerances = Readonly<Record<string, readonly [number, number]>>;

export interface ParityOutput {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly ok: boolean;
  readonly rtol: number;
  readonly atol: number;
  readonly mismatches?: number;
  readonly max_abs?: number;
  readonly max_rel?: number;
  readonly nan?: { readonly onnx: number; readonly jax: number };
  readonly inf?: { readonly onnx: number; readonly jax: number };
  /** Why the output could not be compared (shape or dtype differ). */
  readonly reason?: string;
}

export interface ParityResult {
  readonly runtime: string;
  readonly ok: boolean;
  readonly outputs: readonly ParityOutput[];
  /** The model run alone, and creating the onnxruntime session (0 when it was cached). */
  readonly milliseconds?: number;
  readonly session_milliseconds?: number;
  readonly error?: string;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export function compareOutput(expected: TensorBytes, actual: TensorBytes, tolerances: Tolerances): ParityOutput {
  const [rtol, atol] = tolerances[expected.dtype] ?? [0, 0];
  const base = { name: expected.name, dtype: expected.dtype, shape: expected.shape, rtol, atol };
  if (expected.dtype !== actual.dtype || !sameShape(expected.shape, actual.shape)) {
    return { ...base, ok: false, reason: `ONNX gives ${actual.dtype}[${actual.shape.join(",")}], JAX ${expected.dtype}[${expected.shape.join(",")}]` };
  }
  const e = toNumbers(expected.dtype, expected.data);
  const a = toNumbers(actual.dtype, actual.data);
  let mismatches = 0;
  let maxAbs = 0;
  let maxRel = 0;
  const nan = { onnx: 0, jax: 0 };
  const inf = { onnx: 0, jax: 0 };
  for (let i = 0; i < e.length; i++) {
    const x = e[i];
    const y = a[i];
    if (Number.isNaN(x)) nan.jax++;
    if (Number.isNaN(y)) nan.onnx++;
    if (x === Infinity || x === -Infinity) inf.jax++;
    if (y === Infinity || y === -Infinity) inf.onnx++;
    const same = (Number.isNaN(x) && Number.isNaN(y)) || (!Number.isFinite(x) && x === y);
    let diff = same ? 0 : Math.abs(y - x);
    if (Number.isNaN(diff)) diff = Infinity;
    const bound = atol + rtol * (Number.isFinite(x) ? Math.abs(x) : 0);
    if (diff > bound) mismatches++;
    if (diff > maxAbs) maxAbs = diff;
    if (diff > 0) maxRel = Math.max(maxRel, diff / Math.max(Math.abs(x), Number.MIN_VALUE));
  }
  return { ...base, ok: mismatches === 0, mismatches, max_abs: maxAbs, max_rel: maxRel, nan, inf };
}

export function compareOutputs(expected: readonly TensorBytes[], actual: readonly TensorBytes[], tolerances: Tolerances, runtime: string): ParityResult {
  const outputs = expected.map((e, i) =>
    actual[i] ? compareOutput(e, actual[i], tolerances) : { name: e.name, dtype: e.dtype, shape: e.shape, ok: false, rtol: 0, atol: 0, reason: "ONNX has no such output" },
  );
  const ok = actual.length === expected.length && outputs.every((o) => o.ok);
  return { runtime, ok, outputs };
}
