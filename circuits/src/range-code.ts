import { MAX_BOUNDS_SPAN } from "./batch-layout.js";
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

/**
 * The range code over one span of at most 2^32 - 1 (MAX_BOUNDS_SPAN, the widest a batch has),
 * encoding offsets as numbers: what a batch commitment does for each of its readings. Gives
 * the same codes as encodeRange.
 */
export class RangeCode {
  readonly span: number;
  readonly width: number;
  private readonly low: number;
  private readonly remainder: number;

  constructor(span: number) {
    if (!Number.isInteger(span) || span < 0 || span > MAX_BOUNDS_SPAN_NUMBER) {
      throw new CircuitsError(`a range code's span must be an integer in 0..${MAX_BOUNDS_SPAN_NUMBER}, got ${span}`, { span });
    }
    this.span = span;
    this.width = 32 - Math.clz32(span);
    // 2^m <= span + 1 < 2^(m+1); span + 1 may be 2^32, which clz32 cannot take.
    this.low = span === MAX_BOUNDS_SPAN_NUMBER ? 2 ** 32 : 2 ** (31 - Math.clz32(span + 1));
    this.remainder = span - (this.low - 1);
  }

  /** The canonical code of `offset` in [0, span]. */
  encode(offset: number): number {
    if (!Number.isInteger(offset) || offset < 0 || offset > this.span) {
      throw new CircuitsError(`offset ${offset} outside 0..${this.span}`, { offset, span: this.span });
    }
    // Above low, offset - remainder lies in [0, low), so adding low sets its top bit.
    return offset < this.low ? offset : offset - this.remainder + this.low;
  }
}

const MAX_BOUNDS_SPAN_NUMBER = Number(MAX_BOUNDS_SPAN);
