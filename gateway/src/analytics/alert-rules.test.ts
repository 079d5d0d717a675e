import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Channel } from "@intelledger/proto/device";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../config.js";
import { DataClasses } from "../store/data-classes.js";
import { DerivedStore } from "../store/derived-store.js";
import { openGatewayDatabase, type SqliteDatabase } from "../store/gateway-database.js";
import { ReadingStore } from "../store/reading-store.js";
import { AlertDelivery, type RuleAlertMessage } from "./alert-delivery.js";
import type { AlertRule } from "./alert-rule-schema.js";
import { AnalyticsFollower } from "./analytics-follower.js";
import { RuleEngine } from "./rule-engine.js";
import { unknownRuleDevices } from "./rule-devices.js";
import { scratchFolder } from "../../test/scratch-folder.js";

const T0 = 1_800_000_000_000;
const logger = pino({ level: "silent" });

const RULES: AlertRule[] = parseGatewayConfig({
  dataDir: "/unused",
  analytics: {
    rules: [
      {
        name: "hot",
        kind: "threshold",
        device: "press-1",
        channel: "temperature",
        above: 80,
        hysteresis: 5,
        severity: "critical",
      },
      { name: "jump", kind: "rate-of-change", device: "press-*", channel: "humidity", maxPerSecond: 5 },
      { name: "burst", kind: "anomalies", device: "press-1", channel: "vibration", count: 3, windowSeconds: 10 },
      { name: "silent", kind: "no-data", device: "press-*", seconds: 5 },
    ],
  },
}).analytics.rules;

/** One gateway start: database, stores, the rules and their delivery, on a clock the test moves. */
class RulesUnderTest {
  readonly db: SqliteDatabase;
  readonly delivered: RuleAlertMessage[] = [];
  private readonly readings: ReadingStore;
  private readonly follower: AnalyticsFollower;
  private readonly delivery: AlertDelivery;
  private counter: number;

  constructor(path: string, clock: { nowMs: number }, webhookUrl?: string) {
    this.db = openGatewayDatabase(path);
    this.readings = new ReadingStore(this.db);
    this.counter =
      (this.db
        .prepare("SELECT coalesce(max(frame_counter), 0) FROM readings WHERE device_id = 'press-1'")
        .pluck()
        .get() as number) + 1;
    const derived = new DerivedStore({
      db: this.db,
      readings: this.readings,
      clock: { read: () => ({ nowMs: clock.nowMs, uncertain: false, boot: 1, uptimeMs: 1 }) },
      dataClasses: new DataClasses({}),
      storage: { full: false },
      groupCommitDelayMs: 0,
    });
    this.delivery = new AlertDelivery({
      db: this.db,
      gatewayId: "0xgateway",
      derived,
      mqtt: undefined,
      webhook: webhookUrl === undefined ? undefined : { url: webhookUrl, maxAttempts: 5, timeoutMs: 2_000 },
      logger,
      intervalMs: 20,
      now: () => clock.nowMs,
      onStored: (alert) => this.delivered.push(alert),
    });
    const rules = new RuleEngine({
      db: this.db,
      rules: RULES,
      webhook: webhookUrl !== undefined,
      onAlert: () => this.delivery.wake(),
    });
    this.follower = new AnalyticsFollower({
      db: this.db,
      allowedLatenessMs: 60_000,
      observer: rules,
      logger,
      now: () => clock.nowMs,
    });
    this.follower.follow(this.readings);
    this.delivery.start();
  }

  /** Stores one sample of press-1 taken at `atS` seconds, received then too, and lets the rules see it. */
  sample(channel: Channel, atS: number, value: number, anomalous = false): void {
    const atMs = T0 + atS * 1_000;
    this.readings.commitFrames([
      {
        deviceId: "press-1",
        counter: this.counter++,
        clock: { nowMs: atMs, uncertain: false, boot: 1, uptimeMs: 1 },
        transport: "mqtt",
        status: undefined,
        samples: [{ channel, index: 0, timestampMs: atMs, value: value * 100, scale: 2, dataClass: 0 }],
      },
    ]);
    this.db.prepare("UPDATE readings SET anomalous = ? WHERE anomalous IS NULL").run(anomalous ? 1 : 0);
    this.follower.tick();
  }

  tick(): void {
    this.follower.tick();
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const waiting = this.db
        .prepare("SELECT count(*) FROM rule_alerts WHERE alert_gateway_seq IS NULL OR webhook_state = 'pending'")
        .pluck()
        .get();
      if (waiting === 0) return;
      this.delivery.wake();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("alerts were not delivered in time");
  }

  async stop(): Promise<void> {
    this.follower.stop();
    await this.delivery.stop();
    this.db.close();
  }
}

const dir = scratchFolder("alert-rules-", "each test");

describe("alert rules", () => {
  it("fire and resolve once per kind on a scripted series, through a restart, each as an anchored alert reading", async () => {
    const path = join(dir(), "gateway.sqlite");
    const clock = { nowMs: T0 };
    const posted: unknown[] = [];
    let failuresLeft = 2;
    const webhook: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        // The first two attempts fail: the alert is retried, not lost.
        if (failuresLeft-- > 0) res.writeHead(503).end();
        else {
          posted.push(JSON.parse(body));
          res.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;

    let gateway = new RulesUnderTest(path, clock, url);
    const T = Channel.CHANNEL_TEMPERATURE;
    const H = Channel.CHANNEL_HUMIDITY;
    const V = Channel.CHANNEL_VIBRATION;
    gateway.sample(T, 1, 70);
    gateway.sample(T, 2, 85); // hot fires
    gateway.sample(T, 3, 90); // still firing: no second alert
    gateway.sample(T, 4, 78); // within the hysteresis: still firing
    gateway.sample(H, 1, 40);
    gateway.sample(H, 2, 41);
    gateway.sample(H, 3, 60); // jump fires: 19 per second
    gateway.sample(V, 1, 0.2, true);
    gateway.sample(V, 2, 0.9, true);
    gateway.sample(V, 3, 0.8, true); // burst fires: 3 anomalies in 10 s
    gateway.sample(V, 4, 0.7, true); // still firing
    clock.nowMs = T0 + 11_000;
    gateway.tick(); // silent fires: nothing received for 7 s
    gateway.tick();
    await gateway.settle();
    await gateway.stop();

    // A restart: everything the rules knew comes back from the database.
    gateway = new RulesUnderTest(path, clock, url);
    gateway.sample(T, 12, 82); // still firing after the restart
    gateway.sample(T, 13, 74); // hot resolves
    gateway.sample(H, 13, 61); // jump resolves: 0.1 per second
    gateway.sample(V, 12, 0.2);
    gateway.sample(V, 15, 0.2); // burst resolves: no anomaly in (5 s, 15 s]
    gateway.sample(T, 16, 75);
    clock.nowMs = T0 + 16_000;
    gateway.tick(); // silent resolved by the readings
    await gateway.settle();

    const alerts = gateway.db
      .prepare("SELECT rule, state, severity, code, subject, alert_gateway_seq FROM rule_alerts ORDER BY id")
      .all() as { rule: string; state: string; severity: string; code: number; subject: string; alert_gateway_seq: number }[];
    const byRule = (rule: string) => alerts.filter((alert) => alert.rule === rule).map((alert) => alert.state);
    for (const rule of ["hot", "jump", "burst", "silent"]) expect(byRule(rule), rule).toEqual(["firing", "resolved"]);
    expect(alerts.find((alert) => alert.rule === "hot")).toMatchObject({
      severity: "critical",
      code: 9100,
      subject: "press-1/temperature/0",
    });
    expect(alerts.find((alert) => alert.rule === "silent" && alert.state === "resolved")).toMatchObject({
      severity: "info",
      code: 9301,
      subject: "press-1",
    });

    // Each is a reading on the alert channel, with its text in the alerts table: batched and anchored like any reading.
    for (const alert of alerts) {
      const reading = gateway.db
        .prepare("SELECT device_id, channel, channel_index FROM readings WHERE gateway_seq = ?")
        .get(alert.alert_gateway_seq);
      expect(reading).toEqual({ device_id: "flow.rules", channel: Channel.CHANNEL_ALERT, channel_index: alert.code });
    }
    expect(gateway.db.prepare("SELECT count(*) FROM alerts WHERE source_id = 'flow.rules'").pluck().get()).toBe(8);

    // The webhook got every alert once, in order, after its failures were retried.
    expect(posted.map((alert) => (alert as RuleAlertMessage).alertGatewaySeq)).toEqual(
      alerts.map((alert) => alert.alert_gateway_seq),
    );
    expect(posted[0]).toMatchObject({ gatewayId: "0xgateway", rule: "hot", state: "firing", deviceId: "press-1" });
    await gateway.stop();
    webhook.close();
  });

  it("refuse a rule that does not parse or names an unknown device, naming the field", () => {
    const parse = (rule: unknown) => () => parseGatewayConfig({ dataDir: "/unused", analytics: { rules: [rule] } });
    expect(parse({ name: "a", kind: "threshold", hysteresis: 1 })).toThrow(/analytics\.rules\[0\]\.above/);
    expect(parse({ name: "a", kind: "threshold", above: 1, below: 2 })).toThrow(/analytics\.rules\[0\]\.below/);
    expect(parse({ name: "a", kind: "sometimes" })).toThrow(/analytics\.rules\[0\]\.kind/);
    expect(parse({ name: "a", kind: "no-data", seconds: 0 })).toThrow(/analytics\.rules\[0\]\.seconds/);
    expect(parse({ name: "a", kind: "rate-of-change", maxPerSecond: 1, channel: "pressure" })).toThrow(
      /analytics\.rules\[0\]\.channel/,
    );
    expect(() =>
      parseGatewayConfig({
        dataDir: "/unused",
        analytics: {
          rules: [
            { name: "a", kind: "no-data", seconds: 5 },
            { name: "a", kind: "no-data", seconds: 9 },
          ],
        },
      }),
    ).toThrow(/analytics\.rules\[1\]\.name/);
    const rules = parseGatewayConfig({
      dataDir: "/unused",
      analytics: {
        rules: [
          { name: "known", kind: "no-data", device: "press-1", seconds: 5 },
          { name: "typo", kind: "no-data", device: "pres-1", seconds: 5 },
          { name: "pattern", kind: "no-data", device: "line-*", seconds: 5 },
        ],
      },
    }).analytics.rules;
    expect(unknownRuleDevices(rules, (deviceId) => deviceId === "press-1")).toEqual([
      { path: "analytics.rules.1.device", message: "no device pres-1 is registered on this gateway" },
    ]);
  });
});
