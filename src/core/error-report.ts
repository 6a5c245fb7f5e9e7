/**
 * A failure as plain data for a host to show or send on: conversion errors keep their kind and
 * sites; a malformed capture is "invalid_capture"; anything else is "internal" (a bug) with its
 * stack.
 */
import { ConversionError } from "./lower/errors";

export interface ErrorReport {
  readonly kind: string;
  readonly message: string;
  readonly sites?: ConversionError["sites"];
  readonly stack?: string;
}

export function errorReport(e: unknown): ErrorReport {
  if (e instanceof ConversionError) return { kind: e.kind, message: e.message, sites: e.sites };
  const err = e instanceof Error ? e : new Error(String(e));
  const invalid = err.name === "CaptureDecodeError" || err.name === "ContainerError";
  return { kind: invalid ? "invalid_capture" : "internal", message: err.message, ...(invalid ? {} : { stack: err.stack }) };
}
