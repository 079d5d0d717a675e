import { describe, expect, it } from "vitest";
import { CircuitsError } from "./errors.js";
import { decodeRange, encodeRange, rangeWeights } from "./range-code.js";

describe("range codes", () => {
  it("decode every bit pattern into the range and encode every point of it, for every span of 4-bit codes", () => {
    for (let span = 0n; span < 16n; span++) {
      const decoded = new Set<bigint>();
      for (let code = 0n; code < 16n; code++) {
        const offset = decodeRange(code, span, 4);
        expect(offset >= 0n && offset <= span, `span ${span} code ${code}`).toBe(true);
        decoded.add(offset);
      }
      expect(decoded.size).toBe(Number(span) + 1);
      for (let offset = 0n; offset <= span; offset++) expect(decodeRange(encodeRange(offset, span, 4), span, 4)).toBe(offset);
    }
  });

  it("are plain binary when the span fills the code, and use the remainder weight otherwise", () => {
    expect(rangeWeights(2n ** 32n - 1n, 32)).toEqual(Array.from({ length: 32 }, (_, j) => 2n ** BigInt(j)));
    expect(rangeWeights(10n, 6)).toEqual([1n, 2n, 4n, 3n, 0n, 0n]);
    expect(encodeRange(9n, 10n, 6)).toBe(0b1110n);
    expect(decodeRange(0b111111n, 10n, 6)).toBe(10n);
  });

  it("refuse offsets outside the range, spans too wide for the code and codes too long", () => {
    expect(() => encodeRange(11n, 10n, 6)).toThrow(CircuitsError);
    expect(() => encodeRange(-1n, 10n, 6)).toThrow(/outside 0..10/);
    expect(() => rangeWeights(64n, 6)).toThrow(/does not fit a 6-bit code/);
    expect(() => decodeRange(64n, 10n, 6)).toThrow(/not a 6-bit pattern/);
  });
});
