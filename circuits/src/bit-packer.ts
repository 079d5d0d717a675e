/**
 * Bits written at given offsets into 32-bit limbs, then read out as field-sized words: how a
 * batch packs its readings' headers and codes without growing a bigint reading by reading.
 * Writes past `bits` are dropped (a batch whose codes overflow is refused by its caller).
 */
export class BitPacker {
  private readonly limbs: Uint32Array;

  constructor(bits: number) {
    this.limbs = new Uint32Array(Math.ceil(bits / 32) + 1);
  }

  /** Writes `value`, an integer in [0, 2^width) with `width` at most 32, at bit `offset`. */
  write(value: number, width: number, offset: number): void {
    if (width === 0) return;
    const limb = offset >>> 5;
    const shift = offset & 31;
    this.limbs[limb] = ((this.limbs[limb] ?? 0) | (value << shift)) >>> 0;
    if (shift + width > 32) this.limbs[limb + 1] = ((this.limbs[limb + 1] ?? 0) | (value >>> (32 - shift))) >>> 0;
  }

  /** `count` words of `width` bits each, least significant first. */
  words(width: number, count: number): bigint[] {
    let hex = "";
    for (let i = this.limbs.length - 1; i >= 0; i--) hex += (this.limbs[i] ?? 0).toString(16).padStart(8, "0");
    const bits = BigInt(`0x${hex}`);
    const mask = (1n << BigInt(width)) - 1n;
    return Array.from({ length: count }, (_, i) => (bits >> BigInt(i * width)) & mask);
  }
}
