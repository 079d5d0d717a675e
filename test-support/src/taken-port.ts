import { once } from "node:events";
import { createServer, type AddressInfo, type Socket } from "node:net";

/** A port on 127.0.0.1 that a listener holds until `release()`: what a service meets when another program has its port. */
export interface TakenPort {
  port: number;
  /** Closes the listener and whatever connected to it. */
  release(): Promise<void>;
}

export async function takePort(): Promise<TakenPort> {
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    release: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
  };
}
