import { SerialPacketDecoder, type SerialPacketError } from "@intelledger/proto/serial";

export type FramingErrors = Record<SerialPacketError, number>;

export function noFramingErrors(): FramingErrors {
  return { oversized: 0, cobs: 0, truncated: 0, crc: 0 };
}

/**
 * One byte stream carrying the serial framing (a serial line, a BLE notification stream):
 * payloads go to `onPayload`, dropped packets are counted in `errors`.
 */
export class FramedPackets {
  private readonly decoder = new SerialPacketDecoder();
  private readonly errors: FramingErrors;
  private readonly onPayload: (payload: Uint8Array) => void;

  constructor(errors: FramingErrors, onPayload: (payload: Uint8Array) => void) {
    this.errors = errors;
    this.onPayload = onPayload;
  }

  push(chunk: Uint8Array): void {
    for (const packet of this.decoder.push(chunk)) {
      if (packet.ok) this.onPayload(packet.payload);
      else this.errors[packet.error]++;
    }
  }

  /** Forgets a packet torn by a lost link. */
  reset(): void {
    this.decoder.reset();
  }
}
