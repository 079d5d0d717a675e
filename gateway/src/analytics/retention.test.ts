import { Channel } from "@intelledger/proto/device";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { DataClasses } from "../store/data-classes.js";
import { DerivedStore } from "../store/derived-store.js";
import { openGatewayDatabase } from "../store/gateway-database.js";
import { ReadingStore } from "../store/reading-store.js";
import { StorageGuard } from "../store/storage-guard.js";
import { outboxFixture } from "../../test/outbox-fixture.js";
import { AnalyticsFollower, rolledUpThrough } from "./analytics-follower.js";
import { startAnalytics } from "./start-analytics.js";

const DAY_MS = 86_400_000;
const logger = pino({ level: "silent" });

describe("retention", () => {
  it("deletes each rollup resolution beyond its own age", async () => {
    const db = openGatewayDatabase(":memory:");
    const readings = new ReadingStore(db);
    const now = Date.now();
    const ages = [0, 2 * DAY_MS, 40 * DAY_MS];
    readings.commitFrames(
      ages.map((age, i) => ({
        deviceId: "press-1",
        counter: i + 1,
        clock: { nowMs: now, uncertain: false, boot: 1, uptimeMs: 1 },
        transport: "mqtt",
        status: undefined,
        samples: [
          { channel: Channel.CHANNEL_TEMPERATURE, index: 0, timestampMs: now - age, value: 2_000 + i, scale: 2, dataClass: 0 },
        ],
      })),
    );
    const follower = new AnalyticsFollower({ db, allowedLatenessMs: 0, logger });
    follower.tick();
    follower.stop();
    const bucketsOf = (resolutionMs: number) =>
      db.prepare("SELECT count(*) FROM rollups WHERE resolution_ms = ?").pluck().get(resolutionMs) as number;
    expect([bucketsOf(60_000), bucketsOf(3_600_000)]).toEqual([3, 3]);

    const config = parseGatewayConfig({
      dataDir: "/unused",
      analytics: { retention: { minuteDays: 1, hourDays: 30 } },
    }).analytics;
    const derived = new DerivedStore({
      db,
      readings,
      clock: { read: () => ({ nowMs: now, uncertain: false, boot: 1, uptimeMs: 1 }) },
      dataClasses: new DataClasses({}),
      storage: { full: false },
      groupCommitDelayMs: 0,
    });
    const analytics = startAnalytics({ config, db, gatewayId: "0xgateway", readings, derived, mqtt: undefined, logger });
    // Started, it applied the retention once: minutes of the last day, hours of the last 30 days.
    expect([bucketsOf(60_000), bucketsOf(3_600_000)]).toEqual([1, 2]);
    expect(analytics?.applyRetention()).toBe(0);
    await analytics?.stop();
    // The raw readings are not the rollups' to delete.
    expect(readings.count()).toBe(3);
    db.close();
  });

  it("deletes raw readings only once the relay holds them and the rollups have them", async () => {
    let nowMs = 1_800_000_000_000;
    const fixture = outboxFixture(() => nowMs);
    const { db, outbox, readings, identity } = fixture;
    for (let i = 0; i < 3; i++) await fixture.seal(4);
    outbox.acknowledge(2);
    outbox.flushAcknowledgements();
    nowMs += DAY_MS;
    const storage = new StorageGuard({
      db,
      dbPath: ":memory:",
      outbox,
      identity,
      quotaBytes: 1024 ** 3,
      minFreeDiskBytes: 0,
      policy: "backpressure",
      retainAckedMs: 0,
      rolledUpThrough: () => rolledUpThrough(db),
      logger,
      now: () => nowMs,
    });
    await storage.enforce();
    // Acknowledged, but not rolled up yet: kept.
    expect(readings.count()).toBe(12);
    const follower = new AnalyticsFollower({ db, allowedLatenessMs: 0, logger });
    follower.tick();
    follower.flush();
    await storage.enforce();
    // Batches 1 and 2 went; batch 3, which the relay does not hold, stays whole.
    expect(readings.count()).toBe(4);
    expect(readings.ofBatch({ dataClass: 1, firstGatewaySeq: 9, lastGatewaySeq: 12 })).toHaveLength(4);
    expect(db.prepare("SELECT sum(count) FROM rollups WHERE resolution_ms = 60000").pluck().get()).toBe(12);
    db.close();
  });
});
