/**
 * Writes a chunked model (and its external data file) to disk, all files or none: each goes to a
 * temp file beside its target, and only when every temp file is complete are they renamed over
 * the targets. A failure or an abort (Ctrl-C) at any point removes the temp files and leaves
 * existing files at the targets untouched. That is what atomic means here: no reader ever sees a
 * half-written file. Surviving a power loss too (fsync before the rename) is asked for with
 * `fsync`; it is off by default, as for onnx.save or numpy.save, because it ties the write to the
 * disk's speed (measured in bench/results.md: up to twice the time for big weights).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Chunk, HostPayload } from "../core";

export interface FileToWrite {
  readonly target: string;
  readonly chunks: readonly Chunk[];
}

/** writev takes at most IOV_MAX (1024) buffers per call. */
const BATCH = 1024;

export class WriteAbortedError extends Error {
  override name = "WriteAbortedError";
}

export function tempPathFor(target: string): string {
  return path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.${process.pid}.tmp`);
}

/**
 * Writes every file or none. Between batches of chunks it yields to the event loop, so a signal
 * handler can abort through `signal`; the write then stops, cleans up and throws WriteAbortedError.
 */
export async function writeFilesAtomic(files: readonly FileToWrite[], resolve: (p: HostPayload) => Uint8Array, signal?: AbortSignal, { fsync = false }: { fsync?: boolean } = {}): Promise<void> {
  const temps: string[] = [];
  try {
    for (const { target, chunks } of files) {
      const tmp = tempPathFor(target);
      temps.push(tmp);
      const fd = fs.openSync(tmp, "w");
      try {
        for (let i = 0; i < chunks.length; i += BATCH) {
          if (signal?.aborted) throw new WriteAbortedError("interrupted");
          writeAll(fd, chunks.slice(i, i + BATCH).map((c) => (c instanceof Uint8Array ? c : resolve(c))));
          await new Promise<void>((r) => setImmediate(r));
        }
        if (fsync) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    if (signal?.aborted) throw new WriteAbortedError("interrupted");
    // In the order given (a data file before the model that names it): the only moment a new
    // file sits beside an old one is between two renames.
    files.forEach(({ target }, i) => fs.renameSync(temps[i], target));
  } catch (e) {
    for (const tmp of temps) fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function writeAll(fd: number, buffers: Uint8Array[]): void {
  let written = fs.writevSync(fd, buffers);
  // writev may write less than asked: finish each buffer it cut short.
  for (const b of buffers) {
    if (written >= b.byteLength) {
      written -= b.byteLength;
      continue;
    }
    let at = written;
    written = 0;
    while (at < b.byteLength) at += fs.writeSync(fd, b, at, b.byteLength - at);
  }
}
