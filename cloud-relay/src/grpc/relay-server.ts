import { readFileSync } from "node:fs";
import { experimental, Server, type ServerCredentials, type ServiceDefinition } from "@grpc/grpc-js";
import { GatewayRelayServiceService } from "@intelledger/proto/relay";
import type { RelayServiceHandlers } from "./gateway-relay-service.js";
import { widenReceiveWindow } from "./receive-window.js";
import { addStockServices } from "./stock-services.js";
import { decodeUploadRequest } from "./upload-request-decoder.js";

export interface RelayServer {
  readonly port: number;
  /** The standard health service's answer: SERVING once the relay is ready, NOT_SERVING while it drains. */
  setServing(serving: boolean): void;
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
 * TLS credentials that ask every client for a certificate but let the handshake finish
 * whatever it shows: the certificate is checked against the relay's CA per call (see
 * peer-identity.ts), so a refused one is answered UNAUTHENTICATED and counted, instead of
 * the connection failing unseen.
 */
function perCallCheckedTls(tls: { caCertFile: string; certFile: string; keyFile: string }): ServerCredentials {
  const ca = { caCertificate: readFileSync(tls.caCertFile) };
  const identity = { certificate: readFileSync(tls.certFile), privateKey: readFileSync(tls.keyFile) };
  // Delivered on the next turn, as grpc-js expects of a provider (it listens for the first
  // update only after subscribing).
  const files: experimental.CertificateProvider = {
    addCaCertificateListener: (listener) => setImmediate(() => listener(ca)),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener) => setImmediate(() => listener(identity)),
    removeIdentityCertificateListener: () => undefined,
  };
  return experimental.createCertificateProviderServerCredentials(files, files, false);
}

/**
 * Serves the gateway-facing service over mutual TLS, with the standard health and reflection
 * services beside it (see stock-services.ts). A message longer than
 * `maxReceiveMessageBytes` is refused (RESOURCE_EXHAUSTED) from its length prefix, before it
 * is read.
 */
export async function startRelayServer(options: {
  host: string;
  port: number;
  tls: { caCertFile: string; certFile: string; keyFile: string };
  maxReceiveMessageBytes: number;
  /** Bytes a client may send on a stream before the relay has read them (see receive-window.ts). */
  receiveWindowBytes: number;
  service: RelayServiceHandlers;
  /** Further services on the same endpoint and TLS (receipts, deployments). */
  extraServices?: readonly { definition: ServiceDefinition; handlers: object }[];
}): Promise<RelayServer> {
  const server = new Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageBytes,
    "grpc.keepalive_permit_without_calls": 1,
  });
  widenReceiveWindow(server, options.receiveWindowBytes);
  server.addService(relayServiceDefinition, { ...options.service });
  for (const extra of options.extraServices ?? []) server.addService(extra.definition, { ...extra.handlers });
  const stock = addStockServices(server);
  const credentials = perCallCheckedTls(options.tls);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, credentials, (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  return {
    port,
    setServing: (serving) => stock.setServing(serving),
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
