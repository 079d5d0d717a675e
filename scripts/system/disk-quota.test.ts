import { join } from "node:path";
import {
  type Gateway,
  type GatewayConfigInput,
  loadOrCreateGatewayIdentity,
  parseGatewayConfig,
  registerDevicesOffline,
  startGateway,
} from "@intelledger/gateway";
import { freePort } from "@intelledger/test-support";
import { Channel } from "@intelledger/proto/device";
import Database from "better-sqlite3";
import { pino } from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { startAnchoredDevChain, type AnchoredDevChain } from "../demo/anchored-dev-chain.js";
import { provisionTls } from "../demo/provision-tls.js";
import { ChildService } from "./child-service.js";
import { DeviceFleet } from "./device-fleet.js";

import { readRelayDatabase, type RelayRecord } from "./relay-database-reader.js";
import { gatewayTestConfig, relayTestConfig, writeConfig } from "./service-configs.js";
import { waitFor } from "./soak-helpers.js";
import { useSystemTestRig } from "./system-test-rig.js";

const QUOTA_BYTES = 1_048_576;
/** A reading takes some 44 bytes: filling the quota takes about 20,000 readings, minutes on a loaded machine. */
const FILL_TIMEOUT_MS = 300_000;
const logger = pino({ level: "silent" });

const rig = useSystemTestRig("edge-quota-");
let chain: AnchoredDevChain;
beforeAll(async () => {
  chain = rig.own(await startAnchoredDevChain(), (started) => started.chain.stop());
});

interface OfflineRun {
  fleet: DeviceFleet;
  gateway: Gateway;
  record: RelayRecord;
  integrity: string;
}

/** A run's storage settings: its quota policy, which also names the run. */
type QuotaStorage = NonNullable<GatewayConfigInput["storage"]> & { policy: string };

/**
 * Fills a gateway's disk quota while its relay is unreachable, then brings the relay up
 * and lets everything drain.
 */
async function fillQuotaOffline(storage: QuotaStorage, until: (gateway: Gateway) => boolean): Promise<OfflineRun> {
  const name = storage.policy;
  const dir = join(rig.dir, name);
  const tls = await provisionTls(join(dir, "tls"));
  const relayPort = await freePort();
  const gatewayDir = join(dir, "gateway");
  const gatewayId = loadOrCreateGatewayIdentity(gatewayDir).address;
  const fleet = new DeviceFleet(8, name);
  const logins = registerDevicesOffline(gatewayDir, fleet.devices);
  const gateway = await startGateway(
    parseGatewayConfig({
      ...gatewayTestConfig(gatewayDir, 0, relayPort, await tls.issueGatewayCertificate(gatewayId)),
      storage: { quotaBytes: QUOTA_BYTES, checkIntervalMs: 100, ...storage },
    }),
    logger,
  );
  await fleet.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, logins);
  fleet.start({ intervalMs: 2 });
  await waitFor(() => until(gateway), FILL_TIMEOUT_MS, `${name}: the quota policy to act`);

  // The relay comes back; frames held back by a full disk get in as space frees up.
  const relay = new ChildService(
    "relay",
    writeConfig(dir, "relay", relayTestConfig(join(dir, "relay"), relayPort, tls.relay, chain)),
    join(dir, "relay.log"),
  );
  await relay.start();
  let integrity: string;
  try {
    await fleet.drain();
    await waitFor(
      () => {
        const snapshot = gateway.snapshot();
        return (
          snapshot.backlog.batches === 0 &&
          snapshot.readingsSealed >= snapshot.ingest.readingsAccepted - snapshot.storage.readingsPruned
        );
      },
      120_000,
      `${name}: the gateway to drain`,
    );
    await fleet.stop();
    await gateway.stop();
    const db = new Database(join(gatewayDir, "gateway.sqlite"), { readonly: true });
    integrity = db.pragma("integrity_check", { simple: true }) as string;
    db.close();
    await relay.stop();
  } finally {
    relay.close();
  }
  return { fleet, gateway, record: readRelayDatabase(join(dir, "relay", "relay.sqlite")), integrity };
}

/** Every sample of every acknowledged frame: at the relay, or inside a gap the gateway declared for its device and channel. */
function unaccounted(run: OfflineRun): string[] {
  const delivered = new Set(
    run.record.readings.map((reading) => `${reading.deviceId}#${reading.frameCounter}/${reading.channel}`),
  );
  const gapCovers = (deviceId: string, counter: number, channel: Channel) =>
    run.record.gaps.some((gap) =>
      gap.pruned.rollups.some(
        (rollup) =>
          rollup.deviceId === deviceId &&
          rollup.channel === channel &&
          rollup.firstFrameCounter <= counter &&
          counter <= rollup.lastFrameCounter,
      ),
    );
  const missing: string[] = [];
  for (const [deviceId, counters] of run.fleet.acked) {
    for (const counter of counters) {
      for (const channel of [Channel.CHANNEL_TEMPERATURE, Channel.CHANNEL_HUMIDITY, Channel.CHANNEL_VIBRATION]) {
        if (!delivered.has(`${deviceId}#${counter}/${channel}`) && !gapCovers(deviceId, counter, channel))
          missing.push(`${deviceId}#${counter}/${channel}`);
      }
    }
  }
  return missing;
}

/** What every policy keeps: the gateway's database intact, and every acknowledged sample at the relay or inside a gap. */
function expectNothingLost(run: OfflineRun): void {
  expect(run.integrity).toBe("ok");
  expect(unaccounted(run)).toEqual([]);
}

describe("a full disk while offline", () => {
  it("drop-lowest-class drops vibration first, records the gaps, and delivers them", async () => {
    const run = await fillQuotaOffline(
      { policy: "drop-lowest-class", dataClasses: { vibration: 0 } },
      (gateway) => gateway.snapshot().storage.batchesPruned >= 3,
    );
    expectNothingLost(run);
    expect(run.record.gaps.length).toBeGreaterThanOrEqual(3);
    expect(run.record.gaps.every((gap) => gap.reason === "dropped")).toBe(true);
    // The lowest class went first: the first batch pruned held vibration only.
    const [first] = [...run.record.gaps].sort((a, b) => a.pruned.prunedAtMs - b.pruned.prunedAtMs);
    expect(first?.pruned.rollups.map((rollup) => rollup.channel)).toEqual(
      first?.pruned.rollups.map(() => Channel.CHANNEL_VIBRATION),
    );
  }, 600_000);

  it("rollup replaces the oldest batches by summaries that add up", async () => {
    const run = await fillQuotaOffline({ policy: "rollup" }, (gateway) => gateway.snapshot().storage.batchesPruned >= 3);
    expectNothingLost(run);
    expect(run.record.gaps.length).toBeGreaterThanOrEqual(3);
    for (const gap of run.record.gaps) {
      expect(gap.reason).toBe("rollup");
      expect(gap.pruned.rollups.reduce((sum, rollup) => sum + rollup.count, 0)).toBe(gap.readingCount);
      for (const rollup of gap.pruned.rollups) expect(rollup.min).toBeLessThanOrEqual(rollup.max);
    }
  }, 600_000);

  it("backpressure refuses new frames instead, and loses nothing acknowledged", async () => {
    const run = await fillQuotaOffline(
      { policy: "backpressure" },
      (gateway) => gateway.snapshot().ingest.refusedStorageFull >= 20,
    );
    expectNothingLost(run);
    expect(run.record.gaps).toEqual([]);
  }, 600_000);
});
