import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { RefusalLog } from "../acceptance/refusal-log.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";
import { commandTopic, DEVICE_PUBLISH_FILTERS, deviceIdOfPublishTopic } from "@intelledger/proto/mqtt";

export interface ExternalBrokerOptions {
  /** mqtt://host:port or mqtts://host:port */
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  /** CA certificate to check the broker's TLS certificate against. */
  caFile?: string | undefined;
  /** Client certificate and key, when the broker asks for one. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** How long to wait before asking the broker again for frames the gateway could not take. */
  retryAfterRefusalMs: number;
  /** The broker must not send the gateway larger packets (MQTT 5 Maximum Packet Size); it drops them. */
  maxPacketBytes: number;
  refusals: RefusalLog;
  logger: Logger;
}

/** MQTT 5 session expiry meaning "never": the broker keeps the gateway's frames however long it is away. */
const SESSION_NEVER_EXPIRES = 0xffff_ffff;

/**
 * Frames from devices on an external broker (Mosquitto, say). The gateway speaks MQTT 5 and
 * keeps a session that never expires, so the broker holds frames while the gateway is down,
 * and it acknowledges each frame to the broker only once it is durable. A frame the gateway
 * cannot take now stays unacknowledged; the gateway reconnects a little later and the
 * broker delivers it again. The gateway tells the broker its maximum packet size, so no
 * oversized publish reaches its memory. Who may publish what is the broker's ACL
 * (docs/mqtt-brokers.md); the gateway cannot see which login published a frame, so a bad
 * signature from the broker never counts towards a device's quarantine.
 */
export class ExternalMqttTransport implements FrameTransport {
  readonly name = "mqtt" as const;
  private client: MqttClient | undefined;
  private readonly options: ExternalBrokerOptions;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(options: ExternalBrokerOptions) {
    this.options = options;
  }

  async start(handler: FrameHandler): Promise<void> {
    const { url, clientId, username, password, caFile, certFile, keyFile, logger } = this.options;
    const options: IClientOptions = {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_NEVER_EXPIRES, maximumPacketSize: this.options.maxPacketBytes },
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
    };
    if (username !== undefined) options.username = username;
    if (password !== undefined) options.password = password;
    if (caFile) options.ca = readFileSync(caFile);
    if (certFile) options.cert = readFileSync(certFile);
    if (keyFile) options.key = readFileSync(keyFile);
    const client = mqtt.connect(url, options);
    this.client = client;
    // Set before the session resumes: the broker delivers what it queued right away. mqtt.js
    // sends the PUBACK of a QoS 1 message once this callback is called.
    client.handleMessage = (packet, done) => {
      if (packet.cmd !== "publish") return done();
      const claimedDeviceId = deviceIdOfPublishTopic(packet.topic);
      if (claimedDeviceId === undefined) return done();
      handler({ transport: "mqtt", bytes: packet.payload as Buffer, claimedDeviceId }).then(
        () => done(),
        () => this.refuse(),
      );
    };
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        client.end(true);
        reject(error);
      };
      client.once("error", failed);
      client.once("connect", () => {
        client.off("error", failed);
        resolve();
      });
    });
    client.on("error", (error) =>
      this.options.refusals.note("broker_error", url, { error: error.message }, "broker connection error"),
    );
    await client.subscribeAsync(DEVICE_PUBLISH_FILTERS, { qos: 1 });
    logger.info({ url, clientId }, "subscribed to device topics on the external broker");
  }

  /** Leaves a frame unacknowledged and comes back for it later; why was logged where it was decided. */
  private refuse(): void {
    const client = this.client;
    if (!client || this.reconnectTimer) return;
    this.options.refusals.note("session_paused", this.options.url, {}, "a frame was not taken; asking the broker again later");
    client.end(true, () => {
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        if (this.client === client) client.reconnect();
      }, this.options.retryAfterRefusalMs);
    });
  }

  async sendCommand(deviceId: string, signedCommand: Uint8Array): Promise<boolean> {
    if (!this.client?.connected) return false;
    await this.client.publishAsync(commandTopic(deviceId), Buffer.from(signedCommand), { qos: 1 });
    return true;
  }

  /** Publishes on the broker at QoS 1 (the gateway's alerts); false when not connected now. */
  async publish(topic: string, payload: Buffer): Promise<boolean> {
    if (!this.client?.connected) return false;
    await this.client.publishAsync(topic, payload, { qos: 1 });
    return true;
  }

  async stop(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.endAsync(true);
  }
}
