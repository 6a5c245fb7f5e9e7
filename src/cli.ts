/**
 * The Node host.
 *   jax2onnx-lab convert capture.j2o -o model.onnx [--opset N] [--name NAME]
 *   jax2onnx-lab serve      the long-lived converter process (framed stdin/stdout, see node/frames.ts)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConversionError, convertCapture, decodeCaptureBytes, type HostPayload } from "./core";
import { defaultRegistry } from "../plugins";
import { decodeMessage, encodeMessage, FrameReader } from "./node/frames";
import { handleRequest } from "./node/service";
import { writeChunksAtomic } from "./node/write-model";

/** Tensors beyond this total go to an external data file (protobuf's limit is 2 GiB). */
const EXTERNAL_DATA_ABOVE = 2 ** 31 - 2 ** 27;

const USAGE = `usage:
  jax2onnx-lab convert CAPTURE.j2o -o MODEL.onnx [--opset N] [--name NAME] [--inline-functions]
  jax2onnx-lab serve`;

function convertCommand(args: string[]): number {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--inline-functions") options[a] = "1";
    else if (a === "-o" || a === "--output" || a === "--opset" || a === "--name") options[a === "-o" ? "--output" : a] = args[++i];
    else positional.push(a);
  }
  if (positional.length !== 1 || !options["--output"]) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const capture = decodeCaptureBytes(fs.readFileSync(positional[0]));
  const output = options["--output"];
  const result = convertCapture(capture, {
    // Over protobuf's 2 GB, the weights go to <output>.data beside the model.
    externalData: { location: `${path.basename(output)}.data`, above: EXTERNAL_DATA_ABOVE },
    registry: defaultRegistry,
    ...(options["--opset"] ? { opset: Number(options["--opset"]) } : {}),
    ...(options["--name"] ? { modelName: options["--name"] } : {}),
    ...(options["--inline-functions"] ? { inlineFunctions: true } : {}),
  });
  const resolve = (p: HostPayload): Uint8Array => {
    const bytes = capture.bufferBytes[p.buffer];
    if (!bytes) throw new Error(`buffer ${p.buffer} is not in the capture file (it was captured by reference); re-capture with all buffers inline`);
    if (p.perm) throw new Error("internal: a transposed host buffer in a capture file");
    return bytes;
  };
  if (result.dataChunks) writeChunksAtomic(path.join(path.dirname(output), `${path.basename(output)}.data`), result.dataChunks, resolve);
  writeChunksAtomic(output, result.chunks, resolve);
  const s = result.summary;
  process.stdout.write(`${output}: ${s.name}, opset ${s.opset}, ${s.nodes} nodes, ${s.initializers} initializers, ${s.bytes} bytes\n`);
  process.stdout.write(`  inputs:  ${s.inputs.join(", ")}\n  outputs: ${s.outputs.join(", ")}\n`);
  return 0;
}

function serveCommand(): void {
  const reader = new FrameReader();
  process.stdin.on("data", (data: Buffer) => {
    for (const frame of reader.push(data)) {
      const { json, payload } = decodeMessage(frame);
      const reply = handleRequest(json as Record<string, unknown>, payload);
      for (const part of encodeMessage(reply.json, reply.payload)) process.stdout.write(part);
    }
  });
  process.stdin.on("end", () => process.exit(0));
}

function main(argv: string[]): number | undefined {
  const [command, ...rest] = argv;
  try {
    if (command === "convert") return convertCommand(rest);
    if (command === "serve") return void serveCommand();
  } catch (e) {
    if (e instanceof ConversionError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

const code = main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
