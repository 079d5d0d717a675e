import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { parseGatewayConfig, type GatewayConfig, type GatewayConfigInput } from "../src/config.js";
import { startGateway, type Gateway } from "../src/gateway.js";
import { GatewayClient } from "./gateway-client.js";

/**
 * A gateway's configuration for a test or bench: MQTT and HTTP on free loopback ports, and
 * neither proving (minutes of CPU per batch), inference nor a DNS-SD announcement on the LAN.
 * `overrides` replace whole sections, so any of them can be turned back on. As written in a
 * configuration file; `quietGatewayConfig` is the same, parsed.
 */
export function quietGatewayConfigInput(dataDir: string, overrides: Partial<GatewayConfigInput> = {}): GatewayConfigInput {
  return {
    dataDir,
    mqtt: { host: "127.0.0.1", port: 0 },
    http: { host: "127.0.0.1", port: 0 },
    proving: { enabled: false },
    inference: { enabled: false },
    discovery: { enabled: false },
    ...overrides,
  };
}

export function quietGatewayConfig(dataDir: string, overrides: Partial<GatewayConfigInput> = {}): GatewayConfig {
  return parseGatewayConfig(quietGatewayConfigInput(dataDir, overrides));
}

export interface TestGateway {
  gateway: Gateway;
  url: string;
  /** A client of its HTTP server. */
  client: GatewayClient;
  dataDir: string;
  /** Stops the gateway and removes its data folder. */
  stop(): Promise<void>;
}

/** A real gateway in this process with a `quietGatewayConfig` and a data folder of its own. */
export async function startTestGateway(
  overrides: Partial<GatewayConfigInput> = {},
  logger: Logger = pino({ level: "silent" }),
): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), "test-gateway-"));
  const gateway = await startGateway(quietGatewayConfig(dataDir, overrides), logger);
  return {
    gateway,
    url: `http://127.0.0.1:${gateway.httpPort}`,
    client: new GatewayClient(gateway.httpPort),
    dataDir,
    stop: async () => {
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
