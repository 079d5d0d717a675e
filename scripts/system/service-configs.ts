import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RelayConfigInput } from "@intelledger/cloud-relay";
import type { GatewayConfigInput } from "@intelledger/gateway";
import type { AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import type { TlsFiles } from "../demo/provision-tls.js";

type GatewayRelaySettings = NonNullable<GatewayConfigInput["relay"]>;

/**
 * A relay configuration for tests: quick anchoring, the given port and TLS files, and one hash
 * thread, as tests run relays, gateways and chains side by side on the same cores.
 */
export function relayTestConfig(dataDir: string, port: number, tls: TlsFiles, chain: AnchoredDevChain): RelayConfigInput {
  return {
    dataDir,
    listen: { host: "127.0.0.1", port },
    api: { port: 0 },
    tls,
    chain: { rpcUrl: chain.chain.rpcUrl, anchorContract: chain.contractAddress, anchorerPrivateKey: chain.anchorerPrivateKey },
    anchoring: { intervalMs: 300 },
    upload: { hashThreads: 1 },
  };
}

/**
 * A gateway configuration for tests: small batches sealed fast, quick reconnects. No proving:
 * these tests are about storing and moving readings, and proving hundreds of test-sized batches
 * would only take the cores they measure (receipt-verify proves end to end).
 */
export function gatewayTestConfig(dataDir: string, mqttPort: number, relayPort: number, tls: TlsFiles): GatewayConfigInput {
  return {
    dataDir,
    mqtt: { host: "127.0.0.1", port: mqttPort, fallbackToFreePort: false },
    batching: { maxReadings: 64, maxAgeMs: 200 },
    proving: { enabled: false },
    // Test fleets send far faster than a real device; the rate limit is not what is tested here.
    ingest: { admission: { framesPerSecond: 10_000, burst: 10_000 } },
    relay: uplinkTo(relayPort, tls, { heartbeatIntervalMs: 1_000 }),
  };
}

/** A gateway's relay section for tests: the relay on this machine, quick reconnects, and `settings`. */
export function uplinkTo(relayPort: number, tls: TlsFiles, settings: Partial<GatewayRelaySettings> = {}): GatewayRelaySettings {
  return {
    address: `127.0.0.1:${relayPort}`,
    serverName: "localhost",
    ...tls,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    ...settings,
  };
}

/** Writes a configuration where a child process can read it; returns its path. */
export function writeConfig(dir: string, name: string, config: object): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
