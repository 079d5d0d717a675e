// Big-endian integers in byte arrays, refusing what does not fit (a DataView would wrap it silently).

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
const UINT64_MAX = (1n << 64n) - 1n;
const MASK_64 = UINT64_MAX;

/** `bytes` as an unsigned big-endian integer. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "0x0";
  for (const byte of bytes) hex += HEX_BYTES[byte] as string;
  return BigInt(hex);
}

/** `value` as `length` big-endian bytes; throws when it does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >> BigInt(length * 8) !== 0n) throw new RangeError(`${value} does not fit ${length} bytes`);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  let rest = value;
  let at = length;
  for (; at >= 8; at -= 8, rest >>= 64n) view.setBigUint64(at - 8, rest & MASK_64);
  for (; at > 0; at--, rest >>= 8n) bytes[at - 1] = Number(rest & 0xffn);
  return bytes;
}

function checkRange(value: bigint | number, least: bigint | number, most: bigint | number, what: string): void {
  if (value < least || value > most || (typeof value === "number" && !Number.isInteger(value))) {
    throw new RangeError(`${String(value)} is not a ${what}`);
  }
}

export function writeUint8(view: DataView, value: number, offset: number): void {
  checkRange(value, 0, 0xff, "uint8");
  view.setUint8(offset, value);
}

export function writeUint32(view: DataView, value: number, offset: number): void {
  checkRange(value, 0, 0xffff_ffff, "uint32");
  view.setUint32(offset, value);
}

/** A uint64; numbers that are safe integers are written without a bigint. */
export function writeUint64(view: DataView, value: number | bigint, offset: number): void {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
    view.setUint32(offset, Math.floor(value / 2 ** 32));
    view.setUint32(offset + 4, value >>> 0);
  } else {
    const big = BigInt(value);
    checkRange(big, 0n, UINT64_MAX, "uint64");
    view.setBigUint64(offset, big);
  }
}

/** An int64; numbers that are safe integers are written without a bigint. */
export function writeInt64(view: DataView, value: number | bigint, offset: number): void {
  if (typeof value === "number" && Number.isSafeInteger(value)) {
    view.setInt32(offset, Math.floor(value / 2 ** 32));
    view.setUint32(offset + 4, value >>> 0);
  } else {
    const big = BigInt(value);
    checkRange(big, -(1n << 63n), (1n << 63n) - 1n, "int64");
    view.setBigInt64(offset, big);
  }
}
