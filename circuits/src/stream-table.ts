import { sha256 } from "./sha256.js";
import { writeInt64, writeUint32 } from "./big-endian.js";
import { MAX_BOUNDS_SPAN } from "./batch-layout.js";
import { DETAILS_SALT_BYTES } from "./commitment-salts.js";
import { CircuitsError } from "./errors.js";
import { checkDeviceId } from "./reading-commitment.js";
import { digestToField, sha256Leaf } from "./sha256-tree.js";

/** What identifies a stream of readings: one channel of one device at one scale. */
export interface StreamKey {
  deviceId: string;
  channel: number;
  channelIndex: number;
  scale: number;
}

/** A stream and the bounds its values must lie within (inclusive, in units of its scale). */
export interface StreamBounds extends StreamKey {
  min: number;
  max: number;
}

/** Looks up a stream's configured bounds. */
export type BoundsResolver = (stream: StreamKey) => { min: number; max: number };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Bounds of a stream nobody configured: the whole range a value can take on the wire. */
export const unboundedStreams: BoundsResolver = () => ({ min: INT32_MIN, max: INT32_MAX });

/** Whether a stream's bounds are the whole int32 range, as for a stream nobody configured. */
export function isUnbounded(bounds: { min: number; max: number }): boolean {
  return bounds.min === INT32_MIN && bounds.max === INT32_MAX;
}

/**
 * The bounds of a list of streams (a batch's stream bounds as the wire carries them): a listed
 * stream gets its bounds (the first entry, if listed twice), any other stream is unbounded.
 */
export function listedBounds(streams: readonly StreamBounds[]): BoundsResolver {
  const byKey = new Map<string, { min: number; max: number }>();
  for (const stream of streams) {
    const key = streamKeyString(stream);
    if (!byKey.has(key)) byKey.set(key, { min: stream.min, max: stream.max });
  }
  return (stream) => byKey.get(streamKeyString(stream)) ?? unboundedStreams(stream);
}

/** The streams of a stream table that have bounds narrower than int32: what the wire lists. */
export function boundedStreams(streams: readonly StreamBounds[]): StreamBounds[] {
  return streams.filter((stream) => !isUnbounded(stream)).map((stream) => ({ ...stream }));
}

export function streamKeyString(stream: StreamKey): string {
  return `${stream.deviceId}/${stream.channel}/${stream.channelIndex}/${stream.scale}`;
}

/** Checks bounds are int32, ordered and no wider than a value code can span. */
export function checkBounds(stream: StreamBounds): void {
  const { min, max } = stream;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < INT32_MIN || max > INT32_MAX || min > max) {
    throw new CircuitsError(`bounds ${min}..${max} of stream ${streamKeyString(stream)} are not ordered int32 values`, {
      stream,
    });
  }
  if (BigInt(max) - BigInt(min) > MAX_BOUNDS_SPAN) {
    throw new CircuitsError(`bounds of stream ${streamKeyString(stream)} are too wide`, { stream });
  }
}

/**
 * The commitment to a batch's stream table in layout 1: SHA-256 over a 0x02 prefix, the entry
 * count and each entry (streamEntryBytes), as a field element. Public, so anyone holding the
 * table can check which bounds a proof speaks of.
 */
export function streamsHash(streams: readonly StreamBounds[]): bigint {
  const bytes = new Uint8Array(1 + 4 + STREAM_ENTRY_BYTES * streams.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = 2;
  writeUint32(view, streams.length, 1);
  streams.forEach((stream, i) => writeStreamEntry(bytes, view, stream, 5 + i * STREAM_ENTRY_BYTES));
  return digestToField(sha256(bytes));
}

/**
 * Writes a stream's entry into `bytes` (and `view`, over the same bytes) at `entry`: the device id
 * as a 32-byte field, channel, channel index, scale as uint32, min and max as int64, all big-endian.
 */
function writeStreamEntry(bytes: Uint8Array, view: DataView, stream: StreamBounds, entry: number): void {
  // The device id as a field is its ASCII bytes as a big-endian number: the bytes, right-aligned.
  checkDeviceId(stream.deviceId);
  const idStart = entry + 32 - stream.deviceId.length;
  bytes.fill(0, entry, idStart);
  for (let c = 0; c < stream.deviceId.length; c++) bytes[idStart + c] = stream.deviceId.charCodeAt(c);
  writeUint32(view, stream.channel, entry + 32);
  writeUint32(view, stream.channelIndex, entry + 36);
  writeUint32(view, stream.scale, entry + 40);
  writeInt64(view, stream.min, entry + 44);
  writeInt64(view, stream.max, entry + 52);
}

/**
 * A stream's leaf in the stream tree of layout 2: SHA-256 over a 0x00 prefix, its entry and its
 * 16-byte salt, so that no one can find the other streams of a batch by trying likely ones.
 */
export function streamLeaf(stream: StreamBounds, salt: Uint8Array): Uint8Array {
  if (salt.length !== DETAILS_SALT_BYTES) throw new RangeError(`a stream's salt is ${DETAILS_SALT_BYTES} bytes`);
  writeStreamEntry(leafBytes, leafView, stream, 1);
  leafBytes.set(salt, 1 + STREAM_ENTRY_BYTES);
  return sha256Leaf(leafBytes);
}

const STREAM_ENTRY_BYTES = 32 + 12 + 16;
// One buffer for every stream leaf (byte 0 is the leaf prefix): a leaf is hashed as soon as it is written.
const leafBytes = new Uint8Array(1 + STREAM_ENTRY_BYTES + DETAILS_SALT_BYTES);
const leafView = new DataView(leafBytes.buffer);
