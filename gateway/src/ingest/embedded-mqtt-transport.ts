import type { PublishPacket } from "aedes";
import type { Logger } from "pino";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";
import { deviceIdOfFrameTopic } from "./mqtt-topics.js";

/**
 * Frames published to the embedded broker. The broker only sends PUBACK once the
 * handler answers, so a QoS 1 frame is acknowledged after it is durable. Rejected
 * frames are acknowledged too (a device must not resend a forgery forever), and
 * counted; only a failure to store refuses the publish, which disconnects the device
 * so it retries later.
 */
export class EmbeddedMqttTransport implements FrameTransport {
  readonly name = "mqtt" as const;
  private embedded: EmbeddedBroker | undefined;
  private readonly options: { host: string; port: number; fallbackToFreePort: boolean; logger: Logger };

  constructor(options: { host: string; port: number; fallbackToFreePort: boolean; logger: Logger }) {
    this.options = options;
  }

  get port(): number {
    if (!this.embedded) throw new Error("the MQTT transport is not started");
    return this.embedded.port;
  }

  async start(handler: FrameHandler): Promise<void> {
    this.embedded = await startEmbeddedBroker({
      ...this.options,
      brokerOptions: {
        authorizePublish: (_client, packet: PublishPacket, callback) => {
          const claimedDeviceId = deviceIdOfFrameTopic(packet.topic);
          if (claimedDeviceId === undefined) return callback(null);
          handler({ transport: "mqtt", bytes: packet.payload as Buffer, claimedDeviceId }).then(
            () => callback(null),
            (error: unknown) => {
              this.options.logger.error({ err: error, deviceId: claimedDeviceId }, "could not store frame");
              callback(error as Error);
            },
          );
        },
      },
    });
  }

  async stop(): Promise<void> {
    await this.embedded?.close();
    this.embedded = undefined;
  }
}
