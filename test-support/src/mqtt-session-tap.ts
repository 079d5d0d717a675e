import { EventEmitter, once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { parser, type Packet, type Parser } from "mqtt-packet";

/**
 * A TCP proxy between an MQTT client and its broker that reports what the client did with
 * the QoS 1 messages the broker sent it: `acknowledged` with each payload the client sent a
 * PUBACK for, `dropped` with each one still unacknowledged when the connection ended. Put in
 * front of a broker, it shows when a gateway acknowledged a device's frame to the broker.
 */
export class MqttSessionTap extends EventEmitter<{ acknowledged: [Uint8Array]; dropped: [Uint8Array] }> {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(target: { host: string; port: number }) {
    super();
    this.server = createServer((client) => this.relay(client, createConnection(target)));
  }

  static async start(target: { host: string; port: number }): Promise<MqttSessionTap> {
    const tap = new MqttSessionTap(target);
    tap.server.listen(0, "127.0.0.1");
    await once(tap.server, "listening");
    tap.port = (tap.server.address() as AddressInfo).port;
    return tap;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  private relay(client: Socket, broker: Socket): void {
    // Packet ids are per connection: QoS 1 PUBLISH packets the broker sent, by id, until PUBACKed.
    const unacknowledged = new Map<number, Uint8Array>();
    const fromClient = parser();
    // The broker's packets are read in the protocol version the client's CONNECT asked for.
    let fromBroker: Parser | undefined;
    fromClient.on("packet", (packet: Packet) => {
      if (packet.cmd === "connect") {
        fromBroker = parser({ protocolVersion: packet.protocolVersion });
        fromBroker.on("packet", (sent: Packet) => {
          if (sent.cmd === "publish" && sent.qos > 0 && sent.messageId !== undefined) {
            unacknowledged.set(sent.messageId, Buffer.from(sent.payload));
          }
        });
      } else if (packet.cmd === "puback" && packet.messageId !== undefined) {
        const payload = unacknowledged.get(packet.messageId);
        unacknowledged.delete(packet.messageId);
        if (payload) this.emit("acknowledged", payload);
      }
    });
    client.on("data", (chunk: Buffer) => {
      fromClient.parse(chunk);
      broker.write(chunk);
    });
    broker.on("data", (chunk: Buffer) => {
      fromBroker?.parse(chunk);
      client.write(chunk);
    });
    let ended = false;
    for (const socket of [client, broker]) {
      this.sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => {
        this.sockets.delete(socket);
        client.destroy();
        broker.destroy();
        if (ended) return;
        ended = true;
        for (const payload of unacknowledged.values()) this.emit("dropped", payload);
        unacknowledged.clear();
      });
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
