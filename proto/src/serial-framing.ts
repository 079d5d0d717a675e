import { crc32 } from "node:zlib";

/**
 * Serial (and BLE byte-stream) framing: payload || CRC-32 (little-endian), COBS-encoded,
 * then a 0x00 delimiter. COBS leaves no zero inside a packet, so a receiver that lost
 * its place (garbage, an unplugged cable) resynchronises at the next 0x00.
 */
export const PACKET_DELIMITER = 0x00;
/** Largest payload either side sends: a GatewayMessage carrying the largest provisioning request. */
export const MAX_SERIAL_PAYLOAD = 2048;
const CRC_BYTES = 4;

export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 1);
  let codeIndex = 0;
  let code = 1;
  let write = 1;
  data.forEach((byte, index) => {
    if (byte !== 0) {
      out[write++] = byte;
      code++;
    }
    if (byte === 0 || code === 0xff) {
      out[codeIndex] = code;
      code = 1;
      codeIndex = write;
      // A full block that ends the data needs no code byte after it.
      if (byte === 0 || index < data.length - 1) write++;
    }
  });
  out[codeIndex] = code;
  return out.subarray(0, write);
}

/** Decodes one COBS packet (without its delimiter); undefined if it is not valid COBS. */
export function cobsDecode(encoded: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(encoded.length);
  let read = 0;
  let write = 0;
  while (read < encoded.length) {
    const code = encoded[read++] as number;
    if (code === 0 || read + code - 1 > encoded.length) return undefined;
    for (let i = 1; i < code; i++) {
      const byte = encoded[read++] as number;
      if (byte === 0) return undefined;
      out[write++] = byte;
    }
    if (code !== 0xff && read < encoded.length) out[write++] = 0;
  }
  return out.subarray(0, write);
}

/** The bytes to put on the wire for one payload, delimiter included. */
export function encodeSerialPacket(payload: Uint8Array): Uint8Array {
  if (payload.length === 0 || payload.length > MAX_SERIAL_PAYLOAD) {
    throw new RangeError(`serial payload must be 1 to ${MAX_SERIAL_PAYLOAD} bytes, got ${payload.length}`);
  }
  const packet = new Uint8Array(payload.length + CRC_BYTES);
  packet.set(payload);
  new DataView(packet.buffer).setUint32(payload.length, crc32(payload), true);
  const encoded = cobsEncode(packet);
  const wire = new Uint8Array(encoded.length + 1);
  wire.set(encoded);
  wire[encoded.length] = PACKET_DELIMITER;
  return wire;
}

export type SerialPacketError = "oversized" | "cobs" | "truncated" | "crc";

export type SerialPacket = { ok: true; payload: Uint8Array } | { ok: false; error: SerialPacketError; length: number };

/** Longest COBS encoding of the largest payload with its CRC. */
const MAX_ENCODED = MAX_SERIAL_PAYLOAD + CRC_BYTES + Math.ceil((MAX_SERIAL_PAYLOAD + CRC_BYTES) / 254) + 1;

/**
 * Splits a byte stream into packets. Every delimited run of bytes yields one result:
 * a payload, or the reason it was dropped. Memory stays bounded whatever arrives.
 */
export class SerialPacketDecoder {
  private buffer = new Uint8Array(MAX_ENCODED);
  private length = 0;
  /** Bytes seen since the last delimiter, including those dropped for length. */
  private seen = 0;

  push(chunk: Uint8Array): SerialPacket[] {
    const packets: SerialPacket[] = [];
    for (const byte of chunk) {
      if (byte !== PACKET_DELIMITER) {
        if (this.length < MAX_ENCODED) this.buffer[this.length++] = byte;
        this.seen++;
        continue;
      }
      if (this.seen > 0) packets.push(this.finish());
      this.length = 0;
      this.seen = 0;
    }
    return packets;
  }

  /** Forgets a partial packet, e.g. when the port closed mid-packet. */
  reset(): void {
    this.length = 0;
    this.seen = 0;
  }

  private finish(): SerialPacket {
    if (this.seen > MAX_ENCODED) return { ok: false, error: "oversized", length: this.seen };
    const packet = cobsDecode(this.buffer.subarray(0, this.length));
    if (!packet) return { ok: false, error: "cobs", length: this.seen };
    if (packet.length <= CRC_BYTES) return { ok: false, error: "truncated", length: this.seen };
    const payload = packet.slice(0, packet.length - CRC_BYTES);
    const crc = new DataView(packet.buffer, packet.byteOffset).getUint32(payload.length, true);
    if (crc !== crc32(payload)) return { ok: false, error: "crc", length: this.seen };
    if (payload.length > MAX_SERIAL_PAYLOAD) return { ok: false, error: "oversized", length: this.seen };
    return { ok: true, payload };
  }
}
