import type { AuthenticateError, Client, PublishPacket, Subscription } from "aedes";
import type { Logger } from "pino";
import type { RefusalLog } from "../acceptance/refusal-log.js";
import { GatewayError } from "../errors.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker.js";
import type { FrameHandler, FrameTransport } from "./frame-transport.js";
import {
  MQTT_REFUSAL_REASONS,
  publishVerdict,
  subscriptionAllowed,
  type MqttIdentity,
  type MqttRefusalReason,
} from "./mqtt-access.js";
import { GuardedConnection } from "./mqtt-packet-guard.js";
import { commandTopic } from "@intelledger/proto/mqtt";

export interface EmbeddedMqttOptions {
  host: string;
  port: number;
  fallbackToFreePort: boolean;
  /** Clients without a login may publish frames under any device id. */
  allowAnonymous: boolean;
  /** Larger packets close the connection before their body is read. */
  maxPacketBytes: number;
  /** Checks a device's login: its device id and the token the gateway issued it. */
  logins: { checkMqttPassword(deviceId: string, password: Uint8Array | undefined): boolean };
  refusals: RefusalLog;
  logger: Logger;
}

/** CONNACK return codes of MQTT 3.1.1. */
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/**
 * Frames published to the gateway's own broker. Devices log in with their device id and
 * the token the gateway issued them, and may publish only their own frames and status and
 * subscribe only to their own commands. The broker only sends PUBACK once the handler
 * answers, so a QoS 1 frame is acknowledged after it is durable. Rejected frames are
 * acknowledged too (a device must not resend a forgery forever), and counted. A frame that
 * cannot be taken now, and a publish the ACL refuses, end the connection without PUBACK
 * (MQTT 3.1.1 has no negative PUBACK): the device keeps the frame and retries.
 */
export class EmbeddedMqttTransport implements FrameTransport {
  readonly name = "mqtt" as const;
  /** What the broker refused, by reason. */
  readonly refusals = Object.fromEntries(MQTT_REFUSAL_REASONS.map((reason) => [reason, 0])) as Record<MqttRefusalReason, number>;
  private embedded: EmbeddedBroker | undefined;
  private readonly options: EmbeddedMqttOptions;
  private readonly identities = new WeakMap<Client, MqttIdentity>();

  constructor(options: EmbeddedMqttOptions) {
    this.options = options;
  }

  get port(): number {
    if (!this.embedded) throw new GatewayError("the MQTT transport is not started");
    return this.embedded.port;
  }

  async start(handler: FrameHandler): Promise<void> {
    this.embedded = await startEmbeddedBroker({
      ...this.options,
      connection: (socket) =>
        new GuardedConnection(socket, this.options.maxPacketBytes, ({ reason, detail }) =>
          this.refuse(reason, socket.remoteAddress, { detail }),
        ),
      brokerOptions: {
        authenticate: (client, username, password, done) => {
          const identity = this.login(client, username, password);
          if ("refused" in identity) return done(identity.refused, false);
          this.identities.set(client, identity);
          done(null, true);
        },
        authorizePublish: (client, packet: PublishPacket, callback) => {
          // The gateway's own publishes (client null) are its commands.
          if (!client) return callback(null);
          const identity = this.identities.get(client) ?? { anonymous: true };
          const verdict = publishVerdict(identity, packet.topic);
          if (!verdict.allowed) {
            this.refuse(verdict.reason, sourceOf(client, identity), { clientId: client.id, detail: verdict.detail });
            return callback(new GatewayError(verdict.detail));
          }
          handler({
            transport: "mqtt",
            bytes: packet.payload as Buffer,
            claimedDeviceId: verdict.claimedDeviceId,
            authenticatedDeviceId: "deviceId" in identity ? identity.deviceId : undefined,
          }).then(
            () => callback(null),
            // Logged where it was decided; the device keeps the frame and retries.
            (error: unknown) => callback(error as Error),
          );
        },
        authorizeSubscribe: (client, subscription: Subscription, callback) => {
          const identity = this.identities.get(client) ?? { anonymous: true };
          if (subscriptionAllowed(identity, subscription.topic)) return callback(null, subscription);
          this.refuse("subscription_refused", sourceOf(client, identity), {
            clientId: client.id,
            detail: `may not subscribe to ${subscription.topic}`,
          });
          // Negated in the SUBACK; the connection stays.
          callback(null, null);
        },
      },
    });
  }

  /** The identity a CONNECT proves, or why it is refused. */
  private login(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): MqttIdentity | { refused: AuthenticateError } {
    const address = (client.conn as Partial<GuardedConnection>).remoteAddress;
    const refused = (reason: MqttRefusalReason, returnCode: number, detail: string, source: string | undefined) => {
      this.refuse(reason, source, { clientId: client.id, address, detail });
      return { refused: Object.assign(new GatewayError(detail), { returnCode }) as AuthenticateError };
    };
    if (username === undefined || username === "") {
      return this.options.allowAnonymous
        ? { anonymous: true }
        : refused("anonymous", NOT_AUTHORIZED, "a device logs in with its id and token", address);
    }
    if (!this.options.logins.checkMqttPassword(username, password)) {
      return refused("bad_credentials", BAD_USERNAME_OR_PASSWORD, `no such device, or not its token: ${username}`, username);
    }
    // A client id is a session: another device taking this one's would disconnect it.
    if (client.id !== username) {
      return refused("client_id_mismatch", IDENTIFIER_REJECTED, `client id ${client.id} is not the device id`, username);
    }
    return { deviceId: username };
  }

  private refuse(reason: MqttRefusalReason, source: string | undefined, fields: Record<string, unknown>): void {
    this.refusals[reason]++;
    this.options.refusals.note(reason, source, fields, "MQTT client refused");
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

function sourceOf(client: Client, identity: MqttIdentity): string | undefined {
  return "deviceId" in identity ? identity.deviceId : (client.conn as Partial<GuardedConnection>).remoteAddress;
}
