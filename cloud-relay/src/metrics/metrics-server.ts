import { timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

function bearerMatches(request: IncomingMessage, token: string): boolean {
  const presented = Buffer.from(request.headers.authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * GET /healthz for anyone; GET /metrics only with the bearer token (Prometheus's
 * `authorization` / `bearer_token_file`). Nothing else answers.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  token: string;
  registry: Registry;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = request.url?.split("?")[0];
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
    } else if (path === "/healthz") {
      response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path !== "/metrics") {
      response.writeHead(404).end();
    } else if (!bearerMatches(request, options.token)) {
      response.writeHead(401, { "www-authenticate": "Bearer" }).end();
    } else {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    }
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
