import { readFileSync } from "node:fs";
import { credentials, type ChannelCredentials, type ChannelOptions } from "@grpc/grpc-js";
import { GatewayRelayServiceClient } from "@intelledger/proto/relay";

export interface RelayEndpoint {
  address: string;
  serverName?: string | undefined;
  caCertFile: string;
  certFile: string;
  keyFile: string;
}

/** How long a unary call to the relay may take. */
const CALL_DEADLINE_MS = 10_000;

/** The deadline of a unary call made now. */
export function callDeadline(): Date {
  return new Date(Date.now() + CALL_DEADLINE_MS);
}

/** How the gateway's clients reach the relay over mutual TLS: the gateway shows its certificate and checks the relay's. */
export function relayChannel(endpoint: RelayEndpoint): {
  address: string;
  credentials: ChannelCredentials;
  options: ChannelOptions;
} {
  const tls = credentials.createSsl(
    readFileSync(endpoint.caCertFile),
    readFileSync(endpoint.keyFile),
    readFileSync(endpoint.certFile),
  );
  const options: ChannelOptions = {
    "grpc.keepalive_time_ms": 20_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    "grpc.max_send_message_length": 64 * 1024 * 1024,
  };
  if (endpoint.serverName) options["grpc.ssl_target_name_override"] = endpoint.serverName;
  return { address: endpoint.address, credentials: tls, options };
}

/** A gRPC client for the relay's gateway service. */
export function createRelayClient(endpoint: RelayEndpoint): GatewayRelayServiceClient {
  const channel = relayChannel(endpoint);
  return new GatewayRelayServiceClient(channel.address, channel.credentials, channel.options);
}
