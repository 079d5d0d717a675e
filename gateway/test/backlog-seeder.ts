import { join } from "node:path";
import { loadPoseidon } from "@intelledger/circuits";
import { Channel } from "@intelledger/proto/device";
import { pino } from "pino";
import { AnalyticsFollower } from "../src/analytics/analytics-follower.js";
import { BatchSealer } from "../src/batch/batch-sealer.js";
import { GatewayClock } from "../src/clock/gateway-clock.js";
import { registerCurrentBoot } from "../src/clock/host-boot.js";
import { loadOrCreateGatewayIdentity } from "../src/identity/gateway-identity.js";
import { gatewayConfigSchema } from "../src/config.js";
import { DEFAULT_DATA_CLASS } from "../src/store/data-classes.js";
import { BatchOutbox } from "../src/batch/batch-outbox.js";
import { openGatewayDatabase } from "../src/store/gateway-database.js";
import { ReadingStore, type FrameToStore } from "../src/store/reading-store.js";

export interface BacklogOptions {
  dataDir: string;
  readings: number;
  batchSize: number;
  deviceCount?: number;
  /** Readings written per transaction while seeding. */
  chunk?: number;
}

/**
 * Fills a stopped gateway's data folder with readings already sealed into signed
 * batches, as if it had been offline collecting them: for fleet and drain tests and
 * benches that need a backlog without waiting for one. Readings go straight to the
 * store (three samples per frame, as a reference node sends), skipping device signatures,
 * and analytics follows them as a gateway's does while it is offline: the backlog left is
 * the batches to upload, not rollups to catch up on.
 */
export async function seedBacklog(options: BacklogOptions): Promise<{ gatewayId: string; batches: number }> {
  const { dataDir, readings: total, batchSize } = options;
  const deviceCount = options.deviceCount ?? 50;
  const chunk = options.chunk ?? 30_000;
  const db = openGatewayDatabase(join(dataDir, "gateway.sqlite"));
  try {
    const identity = loadOrCreateGatewayIdentity(dataDir);
    const clock = new GatewayClock({ boot: registerCurrentBoot(db, Date.now()) });
    const store = new ReadingStore(db);
    const batches = new BatchOutbox({ db, gatewayId: identity.address, readings: store });
    const sealer = new BatchSealer({
      readings: store,
      outbox: batches,
      hasher: await loadPoseidon(),
      identity,
      maxReadings: batchSize,
      maxAgeMs: Number.MAX_SAFE_INTEGER,
      dataClasses: [DEFAULT_DATA_CLASS],
      clock,
    });
    const analytics = new AnalyticsFollower({
      db,
      allowedLatenessMs: gatewayConfigSchema.parse({ dataDir }).analytics.allowedLatenessMs,
      logger: pino({ level: "silent" }),
    });
    const stopFollowing = analytics.follow(store);
    const counters = new Array<number>(deviceCount).fill(0);
    const startMs = Date.now() - total * 5;
    let written = 0;
    while (written < total) {
      const frames: FrameToStore[] = [];
      for (let n = 0; n < chunk && written < total; n += 3) {
        const device = (written / 3) % deviceCount;
        const timestampMs = startMs + written * 5;
        const samples = [Channel.CHANNEL_TEMPERATURE, Channel.CHANNEL_HUMIDITY, Channel.CHANNEL_VIBRATION]
          .slice(0, Math.min(3, total - written))
          .map((channel, i) => ({
            channel,
            index: 0,
            timestampMs,
            value: 2_000 + ((written + i) % 500),
            scale: 2,
            dataClass: DEFAULT_DATA_CLASS,
          }));
        counters[device] = (counters[device] ?? 0) + 1;
        frames.push({
          deviceId: `seed-${device}`,
          counter: counters[device] ?? 1,
          clock: { ...clock.read(), nowMs: timestampMs },
          transport: "mqtt",
          status: undefined,
          samples,
        });
        written += samples.length;
      }
      store.commitFrames(frames);
      analytics.tick();
      await sealer.sealDue();
    }
    stopFollowing();
    analytics.stop();
    return { gatewayId: identity.address, batches: batches.totals().sealed };
  } finally {
    db.close();
  }
}
