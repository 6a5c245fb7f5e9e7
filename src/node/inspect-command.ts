/** `jax2onnx-lab inspect MODEL.onnx`: what is in an ONNX file, from any producer. */
import * as fs from "node:fs";
import { formatSummary, readOnnxModel, summarizeModel } from "../core";
import { readInputFile, UsageError } from "./cli-errors";

export function parseInspectArgs(args: readonly string[]): string {
  const unknown = args.find((a) => a.startsWith("-"));
  if (unknown) throw new UsageError(`unknown option ${unknown}`);
  if (args.length !== 1) throw new UsageError(args.length ? `inspect takes one model file, got ${args.length}` : "inspect needs a model file");
  return args[0];
}

export function inspectCommand(file: string, out: (text: string) => void): void {
  // External data files are named in the model but never opened: inspect reads one file only.
  const model = readOnnxModel(readInputFile(file, fs.readFileSync), file);
  out(formatSummary(file, summarizeModel(model)));
}
