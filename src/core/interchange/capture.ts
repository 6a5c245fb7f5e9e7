/**
 * The decoded, validated capture (interchange format v1, docs/interchange.md): a closed jaxpr
 * with typed vars, atoms, eqns and generic params, plus the buffer table.
 */
import type { DType } from "../ir/dtype";
import type { Params } from "./params";

/** A JAX dimension: a static size or a symbolic expression such as "B" or "2*B". */
export type AvalDim = number | string;

export interface Aval {
  readonly shape: readonly AvalDim[];
  readonly dtype: DType;
  /** JAX weak type (Python scalars); carried for fidelity, no meaning in ONNX. */
  readonly weak?: boolean;
}

export interface Var {
  readonly id: number;
  readonly aval: Aval;
  /** A `_` output JAX does not use. */
  readonly drop?: boolean;
}

export interface ConstVar extends Var {
  readonly buffer: number;
}

/** A scalar literal's value: a number or boolean, or an int64 beyond 2^53 kept as text. */
export type ScalarValue = number | boolean | { readonly bigint: string };

export type Atom =
  | { readonly kind: "var"; readonly var: Var }
  | { readonly kind: "literal"; readonly aval: Aval; readonly value: ScalarValue }
  | { readonly kind: "literal"; readonly aval: Aval; readonly buffer: number };

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col?: number;
  readonly fn?: string;
}

/** An `@onnx_function` call: the eqn's body becomes an ONNX function `domain.name`. */
export interface FunctionCall {
  readonly name: string;
  readonly domain: string;
}

export interface Eqn {
  readonly prim: string;
  readonly inputs: readonly Atom[];
  readonly outputs: readonly Var[];
  readonly params: Params;
  /** The user's code that made the eqn (first frame outside installed libraries). */
  readonly src?: SourceLoc;
  /** The innermost frame when it differs from `src` (inside flax, equinox, ...). */
  readonly lib?: SourceLoc;
  /** Module path, e.g. ["MLP", "linear1"]. */
  readonly scope: readonly string[];
  /** Set when the eqn (a `jit`) is an `@onnx_function` call. */
  readonly fn?: FunctionCall;
}

export interface Jaxpr {
  readonly invars: readonly Var[];
  readonly constvars: readonly ConstVar[];
  readonly outvars: readonly Atom[];
  readonly eqns: readonly Eqn[];
}

export interface BufferInfo {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly byteLength: number;
  /** `inline`: the bytes are in the capture. `host`: the host keeps them (big weights). */
  readonly storage: "inline" | "host";
  /** Where the tensor lives in the user's model, e.g. "linear1.kernel" (initializer names). */
  readonly name?: string;
}

export interface ModelInfo {
  readonly name: string;
  readonly opset?: number;
  /** Names of the graph inputs, one per top-level invar (tensor inputs, then input_params). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Inputs the graph takes channels first (NCHW) while the program reads channels last (NHWC). */
  readonly nchwInputs?: readonly number[];
  /** Outputs the graph returns channels first while the program makes them channels last. */
  readonly nchwOutputs?: readonly number[];
}

export interface Capture {
  readonly version: number;
  readonly producer: Readonly<Record<string, string>>;
  readonly model: ModelInfo;
  readonly buffers: readonly BufferInfo[];
  /** Bytes of inline buffers (null for host buffers), same indices as `buffers`. */
  readonly bufferBytes: readonly (Uint8Array | null)[];
  readonly jaxpr: Jaxpr;
}

export class CaptureDecodeError extends Error {
  // Hosts classify errors by name (src/node/service.ts: "invalid_capture"); Error's own is "Error".
  override name = "CaptureDecodeError";

  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`invalid capture at ${path}: ${message}`);
  }
}
