import { receiveSecond } from "./batch-layout.js";
import { DETAILS_SALT_BYTES } from "./commitment-salts.js";
import { encodeRange, rangeCodeWidth } from "./range-code.js";
import { sha256Leaf } from "./sha256-tree.js";

/** The fields of a stored reading that its batch commits to. */
export interface CommittedReading {
  gatewaySeq: number;
  deviceId: string;
  /** A uint64: the relay's and the gateway's readings carry it as a bigint, exact beyond 2^53. */
  frameCounter: number | bigint;
  channel: number;
  channelIndex: number;
  sampledAtMs: number;
  receivedAtMs: number;
  value: number;
  scale: number;
  timeUncertain?: boolean;
  receivedBoot?: number;
  receivedUptimeMs?: number;
  /** Flagged by the gateway's anomaly detection; counted by the batch proof. */
  anomalous?: boolean;
}

const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,31}$/;

/** Device ids are at most 31 ASCII bytes, so they pack reversibly into one field element. */
export function deviceIdToField(deviceId: string): bigint {
  checkDeviceId(deviceId);
  return BigInt(`0x${Buffer.from(deviceId, "ascii").toString("hex")}`);
}

export function checkDeviceId(deviceId: string): void {
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    throw new RangeError(`device id ${JSON.stringify(deviceId)} is not 1 to 31 characters of A-Z a-z 0-9 . _ -`);
  }
}

export function isValidDeviceId(deviceId: string): boolean {
  return DEVICE_ID_PATTERN.test(deviceId);
}

/** Where a reading's value and receive time sit: its stream's bounds and the batch's window. */
export interface CodeContext {
  min: number;
  max: number;
  windowStartSec: number;
  windowEndSec: number;
}

/** A range code and how many bits it takes. */
export interface Code {
  code: bigint;
  width: number;
}

/** A reading's two-bit header: present (always 1 for a reading), anomalous. */
export function readingHeader(reading: CommittedReading): bigint {
  return reading.anomalous === true ? 3n : 1n;
}

/**
 * The reading's codes (see range-code.ts): its receive second - windowStartSec over the
 * window's span, and value - min over its bounds' span. Throws when either lies outside its range.
 */
export function readingCodes(reading: CommittedReading, context: CodeContext): { time: Code; value: Code } {
  const timeSpan = BigInt(context.windowEndSec - context.windowStartSec);
  const valueSpan = BigInt(context.max) - BigInt(context.min);
  return {
    time: {
      code: encodeRange(BigInt(receiveSecond(reading.receivedAtMs) - context.windowStartSec), timeSpan),
      width: rangeCodeWidth(timeSpan),
    },
    value: { code: encodeRange(BigInt(reading.value) - BigInt(context.min), valueSpan), width: rangeCodeWidth(valueSpan) },
  };
}

/**
 * The reading's details leaf: SHA-256 (0x00-prefixed) over gateway_seq, frame_counter,
 * sampled_at_ms, received_at_ms, received_uptime_ms as uint64, received_boot, its stream's index
 * in the batch's stream table and where its codes start in the code bits as uint32, and
 * time_uncertain as one byte, all big-endian; then, in a batch committed with layout 2, the
 * reading's 16-byte salt, so that nobody can find the fields by trying likely ones. Hashed
 * outside the circuit: the proof binds only their root.
 */
export function detailsLeaf(reading: CommittedReading, streamIndex: number, codeOffset: number, salt?: Uint8Array): Buffer {
  const bytes = salt === undefined ? leafBytes : saltedLeafBytes;
  writeUint64(bytes, reading.gatewaySeq, 1);
  writeUint64(bytes, reading.frameCounter, 9);
  writeUint64(bytes, reading.sampledAtMs, 17);
  writeUint64(bytes, reading.receivedAtMs, 25);
  writeUint64(bytes, reading.receivedUptimeMs ?? 0, 33);
  bytes.writeUInt32BE(reading.receivedBoot ?? 0, 41);
  bytes.writeUInt32BE(streamIndex, 45);
  bytes.writeUInt32BE(codeOffset, 49);
  bytes.writeUInt8(reading.timeUncertain === true ? 1 : 0, 53);
  if (salt !== undefined) {
    if (salt.length !== DETAILS_SALT_BYTES) throw new RangeError(`a details salt is ${DETAILS_SALT_BYTES} bytes`);
    bytes.set(salt, LEAF_FIELDS_BYTES);
  }
  return sha256Leaf(bytes);
}

const LEAF_FIELDS_BYTES = 1 + 8 * 5 + 4 * 3 + 1;
// One buffer per layout for every leaf (byte 0 is the leaf prefix): a leaf is hashed as soon as it is written.
const leafBytes = Buffer.alloc(LEAF_FIELDS_BYTES);
const saltedLeafBytes = Buffer.alloc(LEAF_FIELDS_BYTES + DETAILS_SALT_BYTES);

/** A uint64, big-endian; numbers that are safe integers without a bigint, anything else as writeBigUInt64BE takes (or refuses) it. */
function writeUint64(bytes: Buffer, value: number | bigint, offset: number): void {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
    bytes.writeUInt32BE(Math.floor(value / 2 ** 32), offset);
    bytes.writeUInt32BE(value >>> 0, offset + 4);
  } else {
    bytes.writeBigUInt64BE(BigInt(value), offset);
  }
}
