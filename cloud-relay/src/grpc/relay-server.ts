import { readFileSync } from "node:fs";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { GatewayRelayServiceService, type GatewayRelayServiceServer } from "@intelledger/proto/relay";

export interface RelayServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Serves the gateway-facing service over mutual TLS: only certificates from the relay's CA get in. */
export async function startRelayServer(options: {
  host: string;
  port: number;
  tls: { caCertFile: string; certFile: string; keyFile: string };
  service: GatewayRelayServiceServer;
}): Promise<RelayServer> {
  const server = new Server({
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    "grpc.keepalive_permit_without_calls": 1,
  });
  server.addService(GatewayRelayServiceService, options.service);
  const credentials = ServerCredentials.createSsl(
    readFileSync(options.tls.caCertFile),
    [{ cert_chain: readFileSync(options.tls.certFile), private_key: readFileSync(options.tls.keyFile) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, credentials, (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        // Give open streams a moment to finish, then cut them.
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
