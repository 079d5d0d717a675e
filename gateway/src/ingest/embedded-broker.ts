import { createServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { Aedes, type AedesOptions } from "aedes";
import type { Logger } from "pino";
import { listenWithFallback } from "../net/listen.js";

export interface EmbeddedBroker {
  readonly broker: Aedes;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The gateway's own MQTT broker (aedes) on TCP. If the configured port is taken, for
 * instance by a Mosquitto already running on the machine, it can move to a free port. Each
 * connection reaches the broker through `connection`, which may guard it.
 */
export async function startEmbeddedBroker(options: {
  host: string;
  port: number;
  fallbackToFreePort: boolean;
  brokerOptions: AedesOptions;
  connection: (socket: Socket) => Duplex;
  logger: Logger;
}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker(options.brokerOptions);
  // No Nagle: a PUBACK is a few bytes, and held back until the device's TCP acknowledged the
  // one before (delayed ACKs: up to tens of milliseconds) it would wait on nothing but that.
  const server = createServer({ noDelay: true }, (socket) => broker.handle(options.connection(socket)));
  let port: number;
  try {
    port = await listenWithFallback(server, { ...options, what: "MQTT" });
  } catch (error) {
    broker.close();
    throw error;
  }
  return {
    broker,
    port,
    async close() {
      // Stop listening first: a device reconnecting after the broker closed would hold the server open.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await serverClosed;
    },
  };
}
