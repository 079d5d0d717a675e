import type { FrameAck } from "@intelledger/proto/device";
import { DeviceMessage, FrameAckResult, FrameRefusal, frameSha256, GatewayMessage } from "@intelledger/proto/device";
import { encodeSerialPacket } from "@intelledger/proto/serial";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import { FramedPackets, type FramingErrors } from "./framed-packets.js";
import type { FrameHandler, IngestOutcome } from "./frame-transport.js";

/** How long a device is asked to wait after a "not now" whose error gives no `retryAfterMs` (a failed write, say). */
const DEFAULT_RETRY_AFTER_MS = 2_000;

/** The wire's name for a rejection reason of the gateway (FRAME_REFUSAL_<REASON>); UNSPECIFIED for one it lacks. */
export function frameRefusalOf(reason: string): FrameRefusal {
  const refusal = FrameRefusal[`FRAME_REFUSAL_${reason.toUpperCase()}` as keyof typeof FrameRefusal] as FrameRefusal | undefined;
  return refusal ?? FrameRefusal.FRAME_REFUSAL_UNSPECIFIED;
}

/** The answer to a frame the handler took or refused. */
function answerOutcome(outcome: IngestOutcome): Omit<FrameAck, "frameSha256"> {
  return outcome.accepted
    ? { result: FrameAckResult.FRAME_ACK_RESULT_STORED, refusal: FrameRefusal.FRAME_REFUSAL_UNSPECIFIED, retryAfterMs: 0 }
    : { result: FrameAckResult.FRAME_ACK_RESULT_REFUSED, refusal: frameRefusalOf(outcome.reason), retryAfterMs: 0 };
}

/** "Not now" for a frame the handler could not take (see FrameHandler), with the reason it gave if any. */
function answerFailure(error: unknown): Omit<FrameAck, "frameSha256"> {
  const details = error instanceof GatewayError ? error.details : {};
  const reason = typeof details.reason === "string" ? details.reason : undefined;
  const hint = typeof details.retryAfterMs === "number" ? details.retryAfterMs : undefined;
  return {
    result: FrameAckResult.FRAME_ACK_RESULT_RETRY_LATER,
    refusal: reason === undefined ? FrameRefusal.FRAME_REFUSAL_GATEWAY_UNAVAILABLE : frameRefusalOf(reason),
    retryAfterMs: Math.round(hint ?? DEFAULT_RETRY_AFTER_MS),
  };
}

/** What a transport keeps of a connected device: its channel, under the transport's name for it, and the framing session over it. */
export type FramedConnection<Channel> = Channel & { link: FramedLink };

export interface FramedLinkOptions {
  transport: "serial" | "ble";
  /** The device the link itself names (a BLE peripheral's advertised id), checked against every frame. */
  claimedDeviceId?: string;
  /** Packets dropped below the frame level, counted by why. */
  framingErrors: FramingErrors;
  /** Frames go here; undefined while the transport is stopping. */
  handler: () => FrameHandler | undefined;
  /** Writes bytes of the serial framing to the device, in order. */
  write: (bytes: Uint8Array) => Promise<void>;
  /** A frame of this device is durable. */
  onStored?: (deviceId: string) => void;
  logger: Logger;
}

/**
 * One device link speaking the serial framing (a serial line, a BLE connection): a
 * DeviceMessage per packet in, a GatewayMessage per packet out. Each frame is answered with a
 * FrameAck once the handler settles: STORED once durable, REFUSED for good, RETRY_LATER when it
 * cannot be taken now. A copy of a frame still being handled (the device resent it) waits for
 * the first copy's answer instead of racing it into a replay.
 */
export class FramedLink {
  private readonly options: FramedLinkOptions;
  private readonly packets: FramedPackets;
  private readonly inFlight = new Set<string>();
  private readonly listeners = new Set<(payload: Uint8Array) => void>();
  private writes: Promise<void> = Promise.resolve();

  constructor(options: FramedLinkOptions) {
    this.options = options;
    this.packets = new FramedPackets(options.framingErrors, (payload) => this.receive(payload));
  }

  push(chunk: Uint8Array): void {
    this.packets.push(chunk);
  }

  /** Forgets a packet torn by a lost link. */
  reset(): void {
    this.packets.reset();
  }

  /** Calls `listener` with every payload that arrives (a provisioning exchange listens so). */
  onPayload(listener: (payload: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends one payload (a GatewayMessage) in the serial framing, after whatever was sent before it. */
  send(payload: Uint8Array): Promise<void> {
    const packet = encodeSerialPacket(payload);
    // Packets must not interleave (a BLE packet goes out in several writes), and one failed write must not stop the next.
    const written = this.writes.then(() => this.options.write(packet));
    this.writes = written.catch(() => undefined);
    return written;
  }

  sendCommand(signedCommand: Uint8Array): Promise<void> {
    return this.send(GatewayMessage.encode({ body: { $case: "signedCommand", value: signedCommand } }).finish());
  }

  private receive(payload: Uint8Array): void {
    for (const listener of this.listeners) listener(payload);
    let message: DeviceMessage;
    try {
      message = DeviceMessage.decode(payload);
    } catch {
      message = { body: undefined };
    }
    const body = message.body;
    if (body?.$case === "provisionResponse") return; // for a provisioning exchange, if one listens
    // Bytes that carry no frame still go to the handler, which counts and logs them as malformed.
    void this.take(body?.$case === "signedFrame" ? body.value : payload, body?.$case === "signedFrame");
  }

  private async take(bytes: Uint8Array, answerable: boolean): Promise<void> {
    const { transport, claimedDeviceId, logger } = this.options;
    const handler = this.options.handler();
    if (!handler) return;
    const digest = frameSha256(bytes);
    const key = Buffer.from(digest).toString("hex");
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    let answer: Omit<FrameAck, "frameSha256">;
    try {
      const outcome = await handler(claimedDeviceId === undefined ? { transport, bytes } : { transport, bytes, claimedDeviceId });
      if (outcome.accepted) this.options.onStored?.(outcome.deviceId);
      answer = answerOutcome(outcome);
    } catch (error) {
      answer = answerFailure(error);
      logger.debug(
        { err: error, retryAfterMs: answer.retryAfterMs },
        `${transport} frame not taken now; the device will send it again`,
      );
    } finally {
      this.inFlight.delete(key);
    }
    if (!answerable) return;
    const frameAck: FrameAck = { frameSha256: digest, ...answer };
    await this.send(GatewayMessage.encode({ body: { $case: "frameAck", value: frameAck } }).finish()).catch((error: unknown) =>
      logger.debug({ err: error }, `${transport} acknowledgement not written; the device will send the frame again`),
    );
  }
}
