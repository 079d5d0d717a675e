import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { freePort, InterruptibleProxy } from "@intelledger/test-support";
import { seedBacklog } from "../../gateway/test/backlog-seeder.js";
import { startAnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";
import { ChildService } from "./child-service.js";
import { gatewayTestConfig, relayTestConfig, writeConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";

export interface DrainResult {
  readings: number;
  /** From starting the gateway until the relay held every reading. */
  seconds: number;
  readingsPerSecond: number;
  /** How long the gateway took to start (load its modules, open its database, build its hashers). */
  startupSeconds: number;
  /** Readings the relay stored from the moment the gateway was up. */
  readingsOnceUp: number;
  /** Readings per second from the moment the gateway was up, over the readings the relay stored from then on. */
  readingsPerSecondOnceUp: number;
  peakRssBytes: { gateway: number; relay: number };
  /** CPU seconds each process used from the moment the gateway was up until the backlog had drained. */
  cpuSecondsOnceUp: { gateway: number; relay: number };
  bytesPerReading: { gateway: number; relay: number };
}

function fileBytes(path: string): number {
  return [path, `${path}-wal`].reduce((sum, file) => {
    try {
      return sum + statSync(file).size;
    } catch {
      return sum;
    }
  }, 0);
}

function count(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * A gateway that collected `readings` while offline comes back: the gateway and the
 * relay run as processes of their own, over mutual TLS, and the backlog drains. Measures
 * how fast, and how much memory each process needed at most.
 */
export async function runDrain(
  dir: string,
  readings: number,
  batchSize: number,
  options: {
    /** Runs on the sealed backlog before anything is started (a bench measures its bounds there). */
    beforeDrain?: (backlog: { gatewayDir: string; gatewayId: string }) => Promise<void> | void;
    /** The gateway reaches the relay through a link with this round trip (none by default). */
    roundTripMs?: number;
  } = {},
): Promise<DrainResult> {
  const chain = await startAnchoredDevChain();
  const gatewayDir = join(dir, "gateway");
  const relayDir = join(dir, "relay");
  const gatewayDb = join(gatewayDir, "gateway.sqlite");
  const relayDb = join(relayDir, "relay.sqlite");
  const { gatewayId } = await seedBacklog({ dataDir: gatewayDir, readings, batchSize });
  await options.beforeDrain?.({ gatewayDir, gatewayId });
  const tls = await provisionTls(join(dir, "tls"));
  const relayPort = await freePort();
  // The relay's defaults, as in production: the tests' quick anchoring would spend the cores the
  // drain is measured on on chain transactions (and the chain's mining), and their single hash
  // thread would leave one idle.
  const relay = new ChildService(
    "relay",
    writeConfig(dir, "relay", { ...relayTestConfig(relayDir, relayPort, tls.relay, chain), anchoring: {}, upload: {} }),
    join(dir, "relay.log"),
  );
  const link = options.roundTripMs
    ? await InterruptibleProxy.start({ host: "127.0.0.1", port: relayPort }, { roundTripMs: options.roundTripMs })
    : undefined;
  const gatewayConfig = gatewayTestConfig(
    gatewayDir,
    await freePort(),
    link?.listeningPort ?? relayPort,
    await tls.issueGatewayCertificate(gatewayId),
  );
  const gateway = new ChildService(
    "gateway",
    writeConfig(dir, "gateway", { ...gatewayConfig, batching: { maxReadings: batchSize, maxAgeMs: 2_000 } }),
    join(dir, "gateway.log"),
  );
  try {
    await relay.start();
    const started = performance.now();
    await gateway.start();
    const up = performance.now();
    const cpuWhenUp = { gateway: gateway.cpuSeconds(), relay: relay.cpuSeconds() };
    const storedWhenUp = count(relayDb, "SELECT coalesce(sum(reading_count), 0) AS n FROM batches");
    await waitFor(
      () => count(relayDb, "SELECT coalesce(sum(reading_count), 0) AS n FROM batches") >= readings,
      4 * 3_600_000,
      "the backlog to drain",
    );
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    const peakRssBytes = { gateway: gateway.peakRssBytes(), relay: relay.peakRssBytes() };
    const cpuSecondsOnceUp = {
      gateway: gateway.cpuSeconds() - cpuWhenUp.gateway,
      relay: relay.cpuSeconds() - cpuWhenUp.relay,
    };
    await gateway.stop();
    await relay.stop();
    const storedAtRelay = count(relayDb, "SELECT coalesce(sum(reading_count), 0) AS n FROM batches");
    return {
      readings: storedAtRelay,
      seconds,
      readingsPerSecond: storedAtRelay / seconds,
      startupSeconds: (up - started) / 1000,
      readingsOnceUp: storedAtRelay - storedWhenUp,
      readingsPerSecondOnceUp: (storedAtRelay - storedWhenUp) / ((ended - up) / 1000),
      peakRssBytes,
      cpuSecondsOnceUp,
      bytesPerReading: { gateway: fileBytes(gatewayDb) / readings, relay: fileBytes(relayDb) / storedAtRelay },
    };
  } finally {
    gateway.close();
    relay.close();
    await link?.close();
    await chain.chain.stop();
  }
}
