import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { DeviceFrame, SignedFrame } from "@intelledger/proto/device";

/** A device frame with its counter as the full uint64 it is on the wire. */
export type DecodedDeviceFrame = Omit<DeviceFrame, "counter"> & { counter: bigint };

const COUNTER_FIELD = 2;

/**
 * Decodes a DeviceFrame with an exact counter. The generated decoder reads uint64 fields
 * as JavaScript numbers and throws from 2^53, so the counter is read here as a bigint and
 * the other fields, in their original bytes, by the generated decoder. As in protobuf, the
 * last occurrence of the counter wins, and one of another wire type is ignored.
 */
function decodeDeviceFrame(bytes: Uint8Array): DecodedDeviceFrame {
  const reader = new BinaryReader(bytes);
  const rest: Uint8Array[] = [];
  let counter = 0n;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === COUNTER_FIELD && wireType === WireType.Varint) {
      counter = BigInt(reader.uint64());
    } else {
      reader.skip(wireType, fieldNo);
      rest.push(bytes.subarray(start, reader.pos));
    }
  }
  return { ...DeviceFrame.decode(Buffer.concat(rest)), counter };
}

/** A SignedFrame and the DeviceFrame it carries; throws on bytes that are neither. */
export function decodeSignedFrame(bytes: Uint8Array): { signed: SignedFrame; frame: DecodedDeviceFrame } {
  const signed = SignedFrame.decode(bytes);
  return { signed, frame: decodeDeviceFrame(signed.frame) };
}
