/**
 * The one way int64 fields are written. protobufjs accepts number or Long for int64 and encodes a
 * JS bigint silently as 0 (TOOLCHAIN.md), so every int64 write goes through here.
 */
export class Int64Error extends Error {
  override name = "Int64Error";
}

export function int64(value: number): number {
  if (typeof value !== "number") throw new Int64Error(`int64 field got a ${typeof value}; pass a number (a bigint would be written as 0)`);
  if (!Number.isSafeInteger(value)) throw new Int64Error(`int64 field got ${value}, which is not a safe integer`);
  return value;
}

export const int64s = (values: readonly number[]): number[] => values.map(int64);
