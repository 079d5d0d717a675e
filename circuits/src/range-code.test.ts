import { describe, expect, it } from "vitest";
import { CircuitsError } from "./errors.js";
import { decodeRange, encodeRange, rangeCodeWidth, rangeWeights } from "./range-code.js";

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
});
