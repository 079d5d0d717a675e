import { once } from "node:events";
import { createConnection, type Socket } from "node:net";
import { generate, parser, type Packet } from "mqtt-packet";

/**
 * One MQTT 3.1.1 connection that publishes at QoS 1 and resolves each publish on its PUBACK,
 * and does nothing else: no reconnects, no message store, no keep-alive. For load generators
 * that share the machine with the broker they measure: what a fuller client spends per
 * message is taken from what is being measured.
 */
export class QosOneConnection {
  private readonly socket: Socket;
  /** Publishes waiting for their PUBACK, by packet id. */
  private readonly unacknowledged = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
  }

  static async open(url: string, clientId: string): Promise<QosOneConnection> {
    const { hostname, port } = new URL(url);
    const socket = createConnection({ host: hostname, port: Number(port), noDelay: true });
    await once(socket, "connect");
    const connection = new QosOneConnection(socket);
    const packets = parser({ protocolVersion: 4 });
    const connected = new Promise<void>((resolve, reject) => {
      packets.on("packet", (packet: Packet) => {
        if (packet.cmd === "connack") {
          if (packet.returnCode === 0) resolve();
          else reject(new Error(`broker refused the connection: return code ${packet.returnCode}`));
        } else if (packet.cmd === "puback" && packet.messageId !== undefined) {
          connection.unacknowledged.get(packet.messageId)?.resolve();
          connection.unacknowledged.delete(packet.messageId);
        }
      });
      socket.once("close", () => {
        const closed = new Error("broker closed the connection");
        reject(closed);
        // A publish the broker never acknowledged fails instead of waiting for ever.
        for (const pending of connection.unacknowledged.values()) pending.reject(closed);
        connection.unacknowledged.clear();
      });
    });
    socket.on("data", (bytes: Buffer) => packets.parse(bytes));
    socket.write(generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId, keepalive: 0 }));
    await connected;
    return connection;
  }

  /** Resolves once the broker acknowledged the message. */
  publish(topic: string, payload: Buffer): Promise<void> {
    // Packet ids are 1 to 65,535; far fewer than that are ever in flight at once.
    this.nextId = (this.nextId % 65_535) + 1;
    const messageId = this.nextId;
    const acknowledged = new Promise<void>((resolve, reject) => this.unacknowledged.set(messageId, { resolve, reject }));
    this.socket.write(generate({ cmd: "publish", topic, payload, qos: 1, messageId, retain: false, dup: false }));
    return acknowledged;
  }

  async close(): Promise<void> {
    this.socket.end(generate({ cmd: "disconnect" }));
    await once(this.socket, "close");
  }
}
