import type { PoseidonHasher } from "./poseidon-hasher.js";

/** The fields of a stored reading that its Merkle leaf commits to. */
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
}

const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,31}$/;
const VALUE_OFFSET = 2n ** 31n;

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

/**
 * The Merkle leaf of one reading. Signed values are offset by 2^31 so every input is a
 * small non-negative integer, which keeps range checks in circuits cheap.
 */
export function readingLeaf(hasher: PoseidonHasher, reading: CommittedReading): bigint {
  return hasher.hash([
    BigInt(reading.gatewaySeq),
    deviceIdToField(reading.deviceId),
    BigInt(reading.frameCounter),
    BigInt(reading.channel),
    BigInt(reading.channelIndex),
    BigInt(reading.sampledAtMs),
    BigInt(reading.receivedAtMs),
    BigInt(reading.value) + VALUE_OFFSET,
    BigInt(reading.scale),
  ]);
}
