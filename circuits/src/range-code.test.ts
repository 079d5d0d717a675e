import { describe, expect, it } from "vitest";
import { CircuitsError } from "./errors.js";
import { decodeRange, encodeRange, RangeCode, rangeCodeWidth, rangeWeights } from "./range-code.js";

describe("range codes", () => {
  it("decode every bit pattern into the range and encode every point of it, for every span up to 40", () => {
    for (let span = 0n; span <= 40n; span++) {
      const width = rangeCodeWidth(span);
      const decoded = new Set<bigint>();
      for (let code = 0n; code < 1n << BigInt(width); code++) {
        const offset = decodeRange(code, span);
        expect(offset >= 0n && offset <= span, `span ${span} code ${code}`).toBe(true);
        decoded.add(offset);
      }
      expect(decoded.size).toBe(Number(span) + 1);
      for (let offset = 0n; offset <= span; offset++) expect(decodeRange(encodeRange(offset, span), span)).toBe(offset);
    }
  });

  it("take as many bits as the span has, plain binary when the span fills them", () => {
    expect(rangeCodeWidth(0n)).toBe(0);
    expect(rangeCodeWidth(1n)).toBe(1);
    expect(rangeCodeWidth(12_000n)).toBe(14);
    expect(rangeCodeWidth(2n ** 32n - 1n)).toBe(32);
    expect(rangeWeights(2n ** 32n - 1n)).toEqual(Array.from({ length: 32 }, (_, j) => 2n ** BigInt(j)));
    expect(rangeWeights(10n)).toEqual([1n, 2n, 4n, 3n]);
    expect(encodeRange(9n, 10n)).toBe(0b1110n);
    expect(decodeRange(0b1111n, 10n)).toBe(10n);
  });

  it("refuse offsets outside the range, negative spans and codes too long", () => {
    expect(() => encodeRange(11n, 10n)).toThrow(CircuitsError);
    expect(() => encodeRange(-1n, 10n)).toThrow(/outside 0..10/);
    expect(() => rangeWeights(-1n)).toThrow(/negative span/);
    expect(() => decodeRange(16n, 10n)).toThrow(/not a 4-bit pattern/);
  });

  it("are the same codes, and as wide, when worked out with numbers for a span's many offsets", () => {
    const spans = [...Array.from({ length: 41 }, (_, span) => span), 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1];
    for (const span of spans) {
      const code = new RangeCode(span);
      expect(code.width, `span ${span}`).toBe(rangeCodeWidth(BigInt(span)));
      const offsets = span <= 40 ? Array.from({ length: span + 1 }, (_, offset) => offset) : [0, 1, span >>> 1, span - 1, span];
      for (const offset of offsets)
        expect(BigInt(code.encode(offset)), `${offset} of ${span}`).toBe(encodeRange(BigInt(offset), BigInt(span)));
    }
    expect(() => new RangeCode(10).encode(11)).toThrow(/outside 0..10/);
    expect(() => new RangeCode(10).encode(2.5)).toThrow(CircuitsError);
    expect(() => new RangeCode(2 ** 32)).toThrow(/span/);
    expect(() => new RangeCode(-1)).toThrow(/span/);
  });
});
