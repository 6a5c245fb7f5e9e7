/** `jax2onnx-lab convert CAPTURE.j2o -o MODEL.onnx`: a saved capture to an ONNX file (and its data file). */
import * as fs from "node:fs";
import * as path from "node:path";
import { convertCapture, decodeCaptureBytes, type HostPayload } from "../core";
import { defaultRegistry } from "../../plugins";
import { InputFileError, readInputFile, UsageError } from "./cli-errors";
import { writeFilesAtomic, type FileToWrite } from "./write-model";

/** Tensors beyond this total go to an external data file (protobuf's limit is 2 GiB). */
export const EXTERNAL_DATA_ABOVE = 2 ** 31 - 2 ** 27;

export interface ConvertArgs {
  readonly capture: string;
  readonly output: string;
  readonly opset?: number;
  readonly name?: string;
  /** Lower `@onnx_function` calls in place (no FunctionProtos). */
  readonly inlineFunctions?: boolean;
  /** Flush the files to the disk before they are renamed into place (survives a power loss). */
  readonly fsync?: boolean;
}

export function parseConvertArgs(args: readonly string[]): ConvertArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--inline-functions" || a === "--fsync") options.set(a, "1");
    else if (a === "-o" || a === "--output" || a === "--opset" || a === "--name") {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${a} needs a value`);
      options.set(a === "-o" ? "--output" : a, value);
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new UsageError(positional.length ? `convert takes one capture file, got ${positional.length}` : "convert needs a capture file");
  const output = options.get("--output");
  if (!output) throw new UsageError("convert needs -o MODEL.onnx");
  const opsetText = options.get("--opset");
  const opset = opsetText === undefined ? undefined : Number(opsetText);
  if (opset !== undefined && !(Number.isInteger(opset) && opset >= 1)) throw new UsageError(`--opset must be a positive integer, got "${opsetText}"`);
  return { capture: positional[0], output, ...(opset !== undefined ? { opset } : {}), ...(options.has("--name") ? { name: options.get("--name") } : {}), ...(options.has("--inline-functions") ? { inlineFunctions: true } : {}), ...(options.has("--fsync") ? { fsync: true } : {}) };
}

export async function convertCommand(args: ConvertArgs, signal: AbortSignal, out: (text: string) => void): Promise<void> {
  const capture = decodeCaptureBytes(readInputFile(args.capture, fs.readFileSync));
  const dataFile = `${path.basename(args.output)}.data`;
  const result = convertCapture(capture, {
    // Over protobuf's 2 GB, the weights go to <output>.data beside the model.
    externalData: { location: dataFile, above: EXTERNAL_DATA_ABOVE },
    registry: defaultRegistry,
    ...(args.opset !== undefined ? { opset: args.opset } : {}),
    ...(args.name !== undefined ? { modelName: args.name } : {}),
    ...(args.inlineFunctions ? { inlineFunctions: true } : {}),
  });
  const resolve = (p: HostPayload): Uint8Array => {
    const bytes = capture.bufferBytes[p.buffer];
    // decodeCapture checked every inline buffer; a host buffer has no bytes in a file.
    if (!bytes) throw new InputFileError(`buffer ${p.buffer} is not in the capture file (it was captured by reference); save the capture with Capture.save(), which writes every buffer inline`);
    if (p.perm) throw new Error("a transposed host buffer in a capture file");
    return bytes;
  };
  const files: FileToWrite[] = [
    ...(result.dataChunks ? [{ target: path.join(path.dirname(args.output), dataFile), chunks: result.dataChunks }] : []),
    { target: args.output, chunks: result.chunks },
  ];
  await writeFilesAtomic(files, resolve, signal, { fsync: args.fsync ?? false });
  const s = result.summary;
  out(`${args.output}: ${s.name}, opset ${s.opset}, ${s.nodes} nodes, ${s.initializers} initializers, ${s.bytes} bytes${s.externalData ? ` (weights in ${s.externalData})` : ""}\n`);
  out(`  inputs:  ${s.inputs.join(", ")}\n  outputs: ${s.outputs.join(", ")}\n`);
}
