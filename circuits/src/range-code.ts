import { CircuitsError } from "./errors.js";

/**
 * Range codes: how an integer offset in [0, span] is written in rangeCodeWidth(span) bits whose
 * weights are chosen from the span, so that every bit pattern decodes to a point of [0, span]
 * and every point has a pattern. Weights are 1, 2, 4, ..., 2^(m-1) with 2^m <= span + 1 <
 * 2^(m+1), then the remainder r = span - (2^m - 1) if it is not zero. The first m weights reach
 * [0, 2^m - 1]; adding r reaches [r, span]; r <= 2^m keeps the union contiguous.
 *
 * A circuit that only checks the bits are bits has thereby checked the range, whatever the
 * span: the decomposition that packing needs anyway is the whole range check.
 */
export function rangeWeights(span: bigint): bigint[] {
  checkSpan(span);
  const m = (span + 1n).toString(2).length - 1;
  const weights = Array.from({ length: m }, (_, j) => 1n << BigInt(j));
  const remainder = span - ((1n << BigInt(m)) - 1n);
  if (remainder > 0n) weights.push(remainder);
  return weights;
}

/** Bits of a range code over `span`: the bit length of the span (none for a span of 0). */
export function rangeCodeWidth(span: bigint): number {
  checkSpan(span);
  return span === 0n ? 0 : span.toString(2).length;
}

/** The canonical code of `offset` in [0, span]: its plain binary form below 2^m, else the remainder's bit set. */
export function encodeRange(offset: bigint, span: bigint): bigint {
  checkSpan(span);
  if (offset < 0n || offset > span) throw new CircuitsError(`offset ${offset} outside 0..${span}`, { offset, span });
  const m = (span + 1n).toString(2).length - 1;
  const low = 1n << BigInt(m);
  if (offset < low) return offset;
  return (offset - (span - (low - 1n))) | low;
}

/** The offset a code stands for; any pattern of rangeCodeWidth(span) bits decodes into [0, span]. */
export function decodeRange(code: bigint, span: bigint): bigint {
  const width = rangeCodeWidth(span);
  if (code < 0n || code >= 1n << BigInt(width)) throw new CircuitsError(`code ${code} is not a ${width}-bit pattern`, { code });
  let offset = 0n;
  rangeWeights(span).forEach((weight, j) => {
    if ((code >> BigInt(j)) & 1n) offset += weight;
  });
  return offset;
}

function checkSpan(span: bigint): void {
  if (span < 0n) throw new CircuitsError(`a range cannot have the negative span ${span}`, { span });
}
