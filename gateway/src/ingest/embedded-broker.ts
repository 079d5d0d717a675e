import { once } from "node:events";
import { createServer, type AddressInfo, type Server } from "node:net";
import { Aedes, type AedesOptions } from "aedes";
import type { Logger } from "pino";

export interface EmbeddedBroker {
  readonly broker: Aedes;
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => {
      throw error;
    }),
  ]);
}

/**
 * The gateway's own MQTT broker (aedes) on TCP. If the configured port is taken, for
 * instance by a Mosquitto already running on the machine, it can move to a free port.
 */
export async function startEmbeddedBroker(options: {
  host: string;
  port: number;
  fallbackToFreePort: boolean;
  brokerOptions: AedesOptions;
  logger: Logger;
}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker(options.brokerOptions);
  const server = createServer(broker.handle);
  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || !options.fallbackToFreePort) {
      broker.close();
      throw error;
    }
    await listen(server, 0, options.host);
    options.logger.warn(
      { requestedPort: options.port, port: (server.address() as AddressInfo).port },
      "MQTT port in use; the embedded broker listens on a free port instead",
    );
  }
  return {
    broker,
    port: (server.address() as AddressInfo).port,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
