import type { FrameAck } from "@intelledger/proto/device";
import { DeviceMessage, frameSha256, GatewayMessage } from "@intelledger/proto/device";
import { encodeSerialPacket, SerialPacketDecoder } from "@intelledger/proto/serial";
import type { CommandChecker } from "./command-checker.js";
import type { SimulatedDevice } from "./simulated-device.js";

/** A frame on its way: resolves with the gateway's FrameAck naming it, or undefined after `timeoutMs`. */
export interface SentFrame {
  answered(timeoutMs: number): Promise<FrameAck | undefined>;
}

/**
 * A device's end of a serial or BLE link, without the firmware: signed frames go out in
 * DeviceMessages in the serial framing, and what the gateway sends back (FrameAcks, signed
 * commands) is read from the bytes given to `push`.
 */
export class FramedDeviceEnd {
  private readonly decoder = new SerialPacketDecoder();
  private readonly write: (bytes: Uint8Array) => void | Promise<void>;
  private readonly ackWaiters = new Map<string, Set<(ack: FrameAck) => void>>();
  private readonly commandWaiters: ((command: Uint8Array) => void)[] = [];
  /** Every FrameAck received, in order. */
  readonly acks: FrameAck[] = [];
  /** Signed commands received and not yet taken by `nextCommand`. */
  private readonly commands: Uint8Array[] = [];

  constructor(write: (bytes: Uint8Array) => void | Promise<void>) {
    this.write = write;
  }

  /** Bytes from the gateway. */
  push(chunk: Uint8Array): void {
    for (const packet of this.decoder.push(chunk)) {
      if (!packet.ok) continue;
      const body = GatewayMessage.decode(packet.payload).body;
      if (body?.$case === "frameAck") {
        this.acks.push(body.value);
        for (const waiter of this.ackWaiters.get(Buffer.from(body.value.frameSha256).toString("hex")) ?? []) waiter(body.value);
      } else if (body?.$case === "signedCommand") {
        const waiter = this.commandWaiters.shift();
        if (waiter) waiter(body.value);
        else this.commands.push(body.value);
      }
    }
  }

  /** Forgets a packet torn by a lost link. */
  reset(): void {
    this.decoder.reset();
  }

  /** Sends one signed frame; its answer is awaited from the moment of sending, as often as asked. */
  sendFrame(signedFrame: Uint8Array): SentFrame {
    const key = Buffer.from(frameSha256(signedFrame)).toString("hex");
    const waiters = this.ackWaiters.get(key) ?? new Set<(ack: FrameAck) => void>();
    this.ackWaiters.set(key, waiters);
    const ack = new Promise<FrameAck>((resolve) => {
      const waiter = (received: FrameAck) => {
        waiters.delete(waiter);
        if (waiters.size === 0 && this.ackWaiters.get(key) === waiters) this.ackWaiters.delete(key);
        resolve(received);
      };
      waiters.add(waiter);
    });
    const written = Promise.resolve(
      this.write(encodeSerialPacket(DeviceMessage.encode({ body: { $case: "signedFrame", value: signedFrame } }).finish())),
    );
    return {
      answered: async (timeoutMs) => {
        await written;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
        try {
          return await Promise.race([ack, timedOut]);
        } finally {
          clearTimeout(timer);
        }
      },
    };
  }

  /** Writes raw bytes, as a faulty device or line noise would. */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    await this.write(bytes);
  }

  /** The next signed command from the gateway (already received or still to come). */
  nextCommand(timeoutMs: number): Promise<Uint8Array> {
    const queued = this.commands.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.commandWaiters.splice(this.commandWaiters.indexOf(deliver), 1);
        reject(new Error(`no command within ${timeoutMs} ms`));
      }, timeoutMs);
      const deliver = (command: Uint8Array) => {
        clearTimeout(timer);
        resolve(command);
      };
      this.commandWaiters.push(deliver);
    });
  }

  /**
   * Takes the next signed command, checks it with `checker`, and acknowledges it in `device`'s
   * next frame, as the firmware does; resolves with the gateway's answer to that frame.
   */
  async acknowledgeNextCommand(
    device: SimulatedDevice,
    checker: CommandChecker,
    timeoutMs: number,
  ): Promise<FrameAck | undefined> {
    const checked = checker.check(await this.nextCommand(timeoutMs));
    return this.sendFrame(device.nextFrameBytes(Date.now(), { commandId: checked.commandId, result: checked.result })).answered(
      timeoutMs,
    );
  }
}
