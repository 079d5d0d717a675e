import type { PublishPacket } from "aedes";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";
import { commandTopic, deviceIdOfPublishTopic, isCommandTopic } from "@intelledger/proto/mqtt";

/**
 * Frames published to the gateway's own broker. The broker only sends PUBACK once the
 * handler answers, so a QoS 1 frame is acknowledged after it is durable. Rejected frames
 * are acknowledged too (a device must not resend a forgery forever), and counted; a
 * frame that cannot be taken now refuses the publish, which disconnects the device so it
 * keeps the frame and retries. Devices cannot publish on command topics.
 */
export class EmbeddedMqttTransport implements FrameTransport {
  readonly name = "mqtt" as const;
  private embedded: EmbeddedBroker | undefined;
  private readonly options: { host: string; port: number; fallbackToFreePort: boolean; logger: Logger };

  constructor(options: { host: string; port: number; fallbackToFreePort: boolean; logger: Logger }) {
    this.options = options;
  }

  get port(): number {
    if (!this.embedded) throw new GatewayError("the MQTT transport is not started");
    return this.embedded.port;
  }

  async start(handler: FrameHandler): Promise<void> {
    this.embedded = await startEmbeddedBroker({
      ...this.options,
      brokerOptions: {
        authorizePublish: (client, packet: PublishPacket, callback) => {
          // The gateway's own publishes (client null) are commands; devices may not forge them.
          if (client && isCommandTopic(packet.topic)) return callback(new GatewayError("devices may not publish commands"));
          const claimedDeviceId = deviceIdOfPublishTopic(packet.topic);
          if (claimedDeviceId === undefined) return callback(null);
          handler({ transport: "mqtt", bytes: packet.payload as Buffer, claimedDeviceId }).then(
            () => callback(null),
            (error: unknown) => {
              this.options.logger.info({ err: error, deviceId: claimedDeviceId }, "publish refused; the device will retry");
              callback(error as Error);
            },
          );
        },
      },
    });
  }

  async sendCommand(deviceId: string, signedCommand: Uint8Array): Promise<boolean> {
    const broker = this.embedded?.broker;
    if (!broker) return false;
    await new Promise<void>((resolve, reject) =>
      broker.publish(
        { cmd: "publish", topic: commandTopic(deviceId), payload: Buffer.from(signedCommand), qos: 1, retain: false, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    return true;
  }

  async stop(): Promise<void> {
    await this.embedded?.close();
    this.embedded = undefined;
  }
}
