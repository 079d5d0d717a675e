import { once } from "node:events";
import type { AddressInfo, Server } from "node:net";
import type { Logger } from "pino";

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
 * Listens on the configured port or, when it is taken and the port was not pinned
 * (`fallbackToFreePort`), on a free one, which is logged; returns the port.
 */
export async function listenWithFallback(
  server: Server,
  options: { host: string; port: number; fallbackToFreePort: boolean; logger: Logger; what: string },
): Promise<number> {
  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || !options.fallbackToFreePort) throw error;
    await listen(server, 0, options.host);
    options.logger.warn(
      { requestedPort: options.port, port: (server.address() as AddressInfo).port },
      `${options.what} port in use; listening on a free port instead`,
    );
  }
  return (server.address() as AddressInfo).port;
}
