/** Writes a chunked model to disk atomically: a temp file beside the target, then rename. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Chunk, HostPayload } from "../core";

export function writeChunksAtomic(target: string, chunks: readonly Chunk[], resolve: (p: HostPayload) => Uint8Array): void {
  const dir = path.dirname(path.resolve(target));
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    const views = chunks.map((c) => (c instanceof Uint8Array ? c : resolve(c)));
    // writev takes at most IOV_MAX (1024) buffers per call and may write less than asked.
    for (let i = 0; i < views.length; i += 1024) writeAll(fd, views.slice(i, i + 1024));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function writeAll(fd: number, buffers: Uint8Array[]): void {
  let written = fs.writevSync(fd, buffers);
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
