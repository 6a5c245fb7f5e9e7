/**
 * Every CLI failure as one message a person can act on: what is wrong, where, what to do. A stack
 * trace only with --debug, and only where it helps (a bug in the converter, not a bad input).
 */
import { CaptureDecodeError, ContainerError, ConversionError, OnnxReadError } from "../core";
import { WriteAbortedError } from "./write-model";

/** The command line itself is wrong: the message plus usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An input file cannot be read: exit code 1, no usage text. */
export class InputFileError extends Error {
  override name = "InputFileError";
}

/** Reads an input file; a failure names the file even where Node's error does not (EISDIR). */
export function readInputFile(file: string, read: (f: string) => Uint8Array): Uint8Array {
  try {
    return read(file);
  } catch (e) {
    const err = e as SystemError;
    const reason = err.code ? FS_REASONS[err.code] : undefined;
    if (reason) throw new InputFileError(`cannot read ${file}: ${reason}`, { cause: e });
    throw e;
  }
}

export interface Failure {
  readonly message: string;
  readonly exitCode: number;
}

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ENOSPC: "no space left on the device",
  EROFS: "the file system is read-only",
  EMFILE: "too many open files",
  ERR_FS_FILE_TOO_LARGE: "the file is over 2 GiB, more than Node reads at once",
};

interface SystemError extends Error {
  readonly code?: string;
  readonly path?: string;
  readonly syscall?: string;
}

function fsFailure(e: SystemError): string | null {
  const reason = e.code ? FS_REASONS[e.code] : undefined;
  if (!reason) return null;
  const verb = e.syscall === "open" && e.code !== "ENOENT" ? "open" : e.syscall?.startsWith("write") || e.syscall === "rename" ? "write" : "read";
  return `cannot ${verb} ${e.path ?? "a file"}: ${reason}`;
}

/** The exit code is 1 for a failure the input or the environment caused, 70 (EX_SOFTWARE) for a bug. */
export function describeFailure(e: unknown, debug: boolean): Failure {
  const err = e instanceof Error ? e : new Error(String(e));
  const withStack = (message: string): string => (debug && err.stack ? `${message}\n\n${err.stack}` : message);
  if (err instanceof UsageError) return { message: err.message, exitCode: 2 };
  if (err instanceof InputFileError) return { message: err.message, exitCode: 1 };
  if (err instanceof WriteAbortedError) return { message: "interrupted: nothing was written (existing files are untouched)", exitCode: 130 };
  if (err instanceof ConversionError) return { message: withStack(err.message), exitCode: 1 };
  if (err instanceof CaptureDecodeError || err instanceof ContainerError) {
    return { message: withStack(`${err.message}\n(the capture file is damaged or was not written by jax2onnx_lab's Capture.save; capture the program again)`), exitCode: 1 };
  }
  if (err instanceof OnnxReadError) return { message: withStack(err.message), exitCode: 1 };
  const fs = fsFailure(err);
  if (fs) return { message: withStack(fs), exitCode: 1 };
  return {
    message: debug && err.stack ? `internal error in the converter: ${err.message}\n\n${err.stack}` : `internal error in the converter (${err.name}: ${err.message}); please report it with the output of the same command run with --debug`,
    exitCode: 70,
  };
}
