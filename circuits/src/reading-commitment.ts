import { bytesToBigInt, writeUint32, writeUint64, writeUint8 } from "./big-endian.js";
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
  return bytesToBigInt(Uint8Array.from(deviceId, (character) => character.charCodeAt(0)));
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
export function detailsLeaf(reading: CommittedReading, streamIndex: number, codeOffset: number, salt?: Uint8Array): Uint8Array {
  const [bytes, view] = salt === undefined ? [leafBytes, leafView] : [saltedLeafBytes, saltedLeafView];
  writeUint64(view, reading.gatewaySeq, 1);
  writeUint64(view, reading.frameCounter, 9);
  writeUint64(view, reading.sampledAtMs, 17);
  writeUint64(view, reading.receivedAtMs, 25);
  writeUint64(view, reading.receivedUptimeMs ?? 0, 33);
  writeUint32(view, reading.receivedBoot ?? 0, 41);
  writeUint32(view, streamIndex, 45);
  writeUint32(view, codeOffset, 49);
  writeUint8(view, reading.timeUncertain === true ? 1 : 0, 53);
  if (salt !== undefined) {
    if (salt.length !== DETAILS_SALT_BYTES) throw new RangeError(`a details salt is ${DETAILS_SALT_BYTES} bytes`);
    bytes.set(salt, LEAF_FIELDS_BYTES);
  }
  return sha256Leaf(bytes);
}

const LEAF_FIELDS_BYTES = 1 + 8 * 5 + 4 * 3 + 1;
// One buffer per layout for every leaf (byte 0 is the leaf prefix): a leaf is hashed as soon as it is written.
const leafBytes = new Uint8Array(LEAF_FIELDS_BYTES);
const leafView = new DataView(leafBytes.buffer);
const saltedLeafBytes = new Uint8Array(LEAF_FIELDS_BYTES + DETAILS_SALT_BYTES);
const saltedLeafView = new DataView(saltedLeafBytes.buffer);
