import { readFileSync } from "node:fs";
import { Server, ServerCredentials, type ServiceDefinition } from "@grpc/grpc-js";
import { GatewayRelayServiceService } from "@intelledger/proto/relay";
import type { RelayServiceHandlers } from "./gateway-relay-service.js";
import { decodeUploadRequest } from "./upload-request-decoder.js";

export interface RelayServer {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The gateway service as generated from relay.proto, but for the upload stream, whose
 * requests are decoded once by the relay's own decoder (see upload-request-decoder.ts).
 */
const relayServiceDefinition: ServiceDefinition = {
  ...GatewayRelayServiceService,
  upload: { ...GatewayRelayServiceService.upload, requestDeserialize: decodeUploadRequest },
};

/**
 * Serves the gateway-facing service over mutual TLS. A message longer than
 * `maxReceiveMessageBytes` is refused (RESOURCE_EXHAUSTED) from its length prefix, before it
 * is read. Clients must present a certificate; whether the relay's CA issued it is checked
 * per call (see peer-identity.ts), so that a refused certificate is answered and counted.
 */
export async function startRelayServer(options: {
  host: string;
  port: number;
  tls: { caCertFile: string; certFile: string; keyFile: string };
  maxReceiveMessageBytes: number;
  service: RelayServiceHandlers;
}): Promise<RelayServer> {
  const server = new Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageBytes,
    "grpc.keepalive_permit_without_calls": 1,
  });
  server.addService(relayServiceDefinition, { ...options.service });
  const credentials = ServerCredentials.createSsl(
    readFileSync(options.tls.caCertFile),
    [{ cert_chain: readFileSync(options.tls.certFile), private_key: readFileSync(options.tls.keyFile) }],
    false,
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
