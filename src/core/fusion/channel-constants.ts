/**
 * Constants that act per output channel of a Gemm/MatMul ([N] or [1,N], or a scalar) or of a
 * Conv ([1,C,1,1...] or [C,1,1...], or a scalar), read as one value per channel. The scale and
 * bias folds (gemm.ts, conv-bias.ts, fold-affine.ts) are valid only for these.
 */
import { knownValues, type Value } from "../ir/ir";

/** One value per channel (length `channels`), or null when `v` is not such a constant. */
export function perChannel(v: Value, channels: number, channelAxis: number, outRank: number): readonly number[] | null {
  const values = knownValues(v);
  if (!values) return null;
  const shape = v.type.shape;
  if (shape.length > outRank) return null;
  if (values.length === 1) return new Array<number>(channels).fill(values[0]);
  // Right-aligned broadcasting: the constant's axis k lines up with output axis k + outRank - rank.
  const offset = outRank - shape.length;
  const ok = shape.every((d, k) => (k + offset === channelAxis ? d === channels : d === 1));
  return ok && values.length === channels ? values : null;
}
