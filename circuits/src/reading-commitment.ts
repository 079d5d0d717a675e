import { receiveSecond, TIME_BITS, VALUE_BITS } from "./batch-layout.js";
import { encodeRange } from "./range-code.js";
import { sha256Leaf } from "./sha256-tree.js";

/** The fields of a stored reading that its batch commits to. */
export interface CommittedReading {
  gatewaySeq: number;
  deviceId: string;
  frameCounter: number;
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
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    throw new RangeError(`device id ${JSON.stringify(deviceId)} is not 1 to 31 characters of A-Z a-z 0-9 . _ -`);
  }
  return BigInt(`0x${Buffer.from(deviceId, "ascii").toString("hex")}`);
}

export function isValidDeviceId(deviceId: string): boolean {
  return DEVICE_ID_PATTERN.test(deviceId);
}

/** Where a reading's value and receive time sit: its stream's bounds and the batch's window. */
export interface SlotContext {
  min: number;
  max: number;
  windowStartSec: number;
  windowEndSec: number;
}

/**
 * The reading's claims slot: present | anomalous << 1 | time code << 2 | value code << 18,
 * with the codes of the receive second - windowStartSec over the window's span and of
 * value - min over the bounds' span (see range-code.ts). Throws when either lies outside its range.
 */
export function claimsSlot(reading: CommittedReading, context: SlotContext): bigint {
  const timeCode = encodeRange(
    BigInt(receiveSecond(reading.receivedAtMs) - context.windowStartSec),
    BigInt(context.windowEndSec - context.windowStartSec),
    TIME_BITS,
  );
  const valueCode = encodeRange(
    BigInt(reading.value) - BigInt(context.min),
    BigInt(context.max) - BigInt(context.min),
    VALUE_BITS,
  );
  return 1n | (reading.anomalous === true ? 2n : 0n) | (timeCode << 2n) | (valueCode << BigInt(2 + TIME_BITS));
}

/**
 * The reading's details leaf: SHA-256 (0x00-prefixed) over gateway_seq, frame_counter,
 * sampled_at_ms, received_at_ms, received_uptime_ms as uint64, received_boot and its stream's index in the
 * batch's stream table as uint32, and time_uncertain as one byte, all big-endian. Hashed
 * outside the circuit: the proof binds only their root.
 */
export function detailsLeaf(reading: CommittedReading, streamIndex: number): Buffer {
  const bytes = Buffer.alloc(8 * 5 + 4 * 2 + 1);
  bytes.writeBigUInt64BE(BigInt(reading.gatewaySeq), 0);
  bytes.writeBigUInt64BE(BigInt(reading.frameCounter), 8);
  bytes.writeBigUInt64BE(BigInt(reading.sampledAtMs), 16);
  bytes.writeBigUInt64BE(BigInt(reading.receivedAtMs), 24);
  bytes.writeBigUInt64BE(BigInt(reading.receivedUptimeMs ?? 0), 32);
  bytes.writeUInt32BE(reading.receivedBoot ?? 0, 40);
  bytes.writeUInt32BE(streamIndex, 44);
  bytes.writeUInt8(reading.timeUncertain === true ? 1 : 0, 48);
  return sha256Leaf(bytes);
}
