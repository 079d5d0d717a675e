import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a service that can be cut and restored, on the same port: the
 * network between the relay and its chain endpoint going away for a while.
 */
export class InterruptibleProxy {
  private server: Server = createServer();
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly target: { host: string; port: number };

  private constructor(target: { host: string; port: number }) {
    this.target = target;
  }

  static async start(target: { host: string; port: number }): Promise<InterruptibleProxy> {
    const proxy = new InterruptibleProxy(target);
    proxy.port = await proxy.listen(0);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async listen(port: number): Promise<number> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    this.server.listen(port, "127.0.0.1");
    await once(this.server, "listening");
    return (this.server.address() as AddressInfo).port;
  }

  /** Refuses new connections and cuts the open ones. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  async restore(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
