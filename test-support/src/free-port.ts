import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";

/** A TCP port free right now on 127.0.0.1, for a service that must come back on the same port after a restart. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
