/**
 * The Node host.
 *   jax2onnx-lab convert capture.j2o -o model.onnx [--opset N] [--name NAME]
 *   jax2onnx-lab inspect model.onnx
 *   jax2onnx-lab serve      the long-lived converter process (framed stdin/stdout, see node/frames.ts)
 * Any command takes --debug: failures then show their stack trace.
 */
import * as v8 from "node:v8";
import { describeFailure, UsageError } from "./node/cli-errors";
import { convertCommand, parseConvertArgs } from "./node/convert-command";
import { inspectCommand, parseInspectArgs } from "./node/inspect-command";
import { serveCommand } from "./node/serve-command";

// V8 tiers a function up to its optimizing compiler (TurboFan) after a budget of bytecode
// executed. A conversion runs a lot of code a few times each: at the default budget much of the
// first conversions' CPU goes to compiling functions that then barely run again. At 4x the
// budget (`bash bench/converter_warmup.sh` on the ResNet, ViT and seed-MLP captures, 100
// conversions per process): all 100 take 0.74-0.84x the wall time and 0.71-0.75x the CPU, the
// 2nd-13th 0.61-0.94x the wall time; the steady state is unchanged, and so is a 100k-eqn
// program (~10 s either way). Set before any conversion code runs; the Python host also starts
// Node with a bigger young generation (jax2onnx_lab/_node.py, NODE_FLAGS).
v8.setFlagsFromString("--interrupt-budget=270336");

const USAGE = `usage:
  jax2onnx-lab convert CAPTURE.j2o -o MODEL.onnx [--opset N] [--name NAME] [--inline-functions] [--fsync]
  jax2onnx-lab inspect MODEL.onnx
  jax2onnx-lab serve
options: --debug (show stack traces), --help`;

const write = (text: string): void => void process.stdout.write(text);

async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  // Ctrl-C or SIGTERM while a model is written: stop, remove temp files, keep existing files.
  // The handlers stay installed until the process exits: a signal that arrives after the files
  // were renamed into place finds nothing left to abort, and the exit code still says the model
  // was written (uninstalled, the default action would kill the process with SIGINT's status
  // after a complete write).
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const [command, ...rest] = args;
    if (command === "--help" || command === "-h" || command === "help") {
      write(`${USAGE}\n`);
      return 0;
    }
    if (command === "convert") await convertCommand(parseConvertArgs(rest), abort.signal, write);
    else if (command === "inspect") inspectCommand(parseInspectArgs(rest), write);
    else if (command === "serve") {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      return await serveCommand(debug);
    } else throw new UsageError(command ? `unknown command "${command}"` : "no command given");
    return 0;
  } catch (e) {
    const failure = describeFailure(e, debug);
    process.stderr.write(`jax2onnx-lab: ${failure.message}\n${failure.exitCode === 2 ? `${USAGE}\n` : ""}`);
    return failure.exitCode;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
