import type { Socket } from "node:net";
import { Duplex } from "node:stream";

/** Bytes an MQTT packet may take beyond its frame: fixed header, topic, packet id; a CONNECT with its login fits too. */
const PACKET_OVERHEAD_BYTES = 512;

/** The largest MQTT packet a gateway takes when frames may be `maxFrameBytes` long. */
export function mqttPacketLimit(maxFrameBytes: number): number {
  return maxFrameBytes + PACKET_OVERHEAD_BYTES;
}

const CONNECT = 1;

export type PacketRefusal = { reason: "oversized_packet" | "malformed_packet"; detail: string };

/**
 * Follows an MQTT byte stream through the fixed headers only (packet type and remaining
 * length), skipping bodies, so it knows each packet's size from its first bytes: a packet
 * declared larger than the limit is refused before any of its body is kept.
 */
export class MqttHeaderScanner {
  private readonly maxPacketBytes: number;
  private state: "type" | "length" | "body" = "type";
  private firstPacket = true;
  private bodyLeft = 0;
  private length = 0;
  private lengthBytes = 0;

  constructor(maxPacketBytes: number) {
    this.maxPacketBytes = maxPacketBytes;
  }

  /** Follows one chunk; returns why the connection must end, or undefined. */
  scan(chunk: Uint8Array): PacketRefusal | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.state === "body") {
        const taken = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= taken;
        at += taken;
        if (this.bodyLeft === 0) this.state = "type";
        continue;
      }
      const byte = chunk[at++] as number;
      if (this.state === "type") {
        if (this.firstPacket && byte >> 4 !== CONNECT) {
          return { reason: "malformed_packet", detail: "the first packet of a connection must be CONNECT" };
        }
        this.firstPacket = false;
        this.state = "length";
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return { reason: "malformed_packet", detail: "remaining length longer than 4 bytes" };
        continue;
      }
      const packetBytes = 1 + this.lengthBytes + this.length;
      if (packetBytes > this.maxPacketBytes) {
        return { reason: "oversized_packet", detail: `a packet of ${packetBytes} bytes, at most ${this.maxPacketBytes} taken` };
      }
      this.bodyLeft = this.length;
      this.state = this.length > 0 ? "body" : "type";
    }
    return undefined;
  }
}

/**
 * A client connection as the broker sees it: the socket's bytes pass through a header
 * scanner, and a refused packet closes the socket at once, so an oversized publish costs
 * the gateway no more than one socket read, whatever it declares.
 */
export class GuardedConnection extends Duplex {
  readonly remoteAddress: string | undefined;
  private readonly socket: Socket;

  constructor(socket: Socket, maxPacketBytes: number, onRefused: (refusal: PacketRefusal) => void) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress;
    const scanner = new MqttHeaderScanner(maxPacketBytes);
    socket.on("data", (chunk: Buffer) => {
      const refusal = scanner.scan(chunk);
      if (refusal) {
        socket.destroy();
        this.destroy();
        onRefused(refusal);
      } else if (!this.push(chunk)) {
        socket.pause();
      }
    });
    socket.on("end", () => this.push(null));
    socket.on("error", (error) => this.destroy(error));
    socket.on("close", () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  // The broker corks while it writes a packet in pieces; one socket write per packet keeps
  // Nagle's algorithm from holding the pieces back for a delayed ACK.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.socket.write(Buffer.concat(chunks.map(({ chunk }) => chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
