import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";

/** Writes what `from` sends to `to` `delayMs` later, in order, without backpressure. */
function forwardLater(from: Socket, to: Socket, delayMs: number): void {
  from.on("data", (chunk) => setTimeout(() => to.write(chunk), delayMs));
  from.on("end", () => setTimeout(() => to.end(), delayMs));
}

/**
 * A TCP proxy in front of a service that can be cut and restored, on the same port: the
 * network between the relay and its chain endpoint going away for a while. With a round
 * trip, each way delivers what it carries half that later: a gateway's link to a distant
 * relay, latency without a bandwidth limit.
 */
export class InterruptibleProxy {
  private server: Server = createServer();
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly target: { host: string; port: number };
  private readonly roundTripMs: number;

  private constructor(target: { host: string; port: number }, roundTripMs: number) {
    this.target = target;
    this.roundTripMs = roundTripMs;
  }

  static async start(
    target: { host: string; port: number },
    options: { roundTripMs?: number } = {},
  ): Promise<InterruptibleProxy> {
    const proxy = new InterruptibleProxy(target, options.roundTripMs ?? 0);
    proxy.port = await proxy.listen(0);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get listeningPort(): number {
    return this.port;
  }

  private async listen(port: number): Promise<number> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      if (this.roundTripMs === 0) client.pipe(upstream).pipe(client);
      else {
        forwardLater(client, upstream, this.roundTripMs / 2);
        forwardLater(upstream, client, this.roundTripMs / 2);
      }
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
