import { every } from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config.js";
import type { DerivedStore } from "../store/derived-store.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { AlertDelivery } from "./alert-delivery.js";
import { AnalyticsFollower } from "./analytics-follower.js";
import { ROLLUP_RESOLUTIONS } from "./rollup-store.js";
import { RuleEngine } from "./rule-engine.js";

const DAY_MS = 86_400_000;
const RETENTION_INTERVAL_MS = 60_000;

export interface RunningAnalytics {
  readonly follower: AnalyticsFollower;
  readonly alerts: AlertDelivery;
  /** Deletes rollups beyond their retention now; returns how many buckets went. */
  applyRetention(): number;
  stop(): Promise<void>;
}

/**
 * Rollups, alert rules and their delivery, and rollup retention, as configured under
 * `analytics`; undefined when analytics is off. A change to that configuration starts them
 * anew: the follower resumes from its cursors, the rules from their stored state.
 */
export function startAnalytics(deps: {
  config: GatewayConfig["analytics"];
  db: SqliteDatabase;
  gatewayId: string;
  derived: DerivedStore;
  mqtt: { publish(topic: string, payload: Buffer): Promise<boolean> } | undefined;
  logger: Logger;
}): RunningAnalytics | undefined {
  const { config, db, mqtt, logger } = deps;
  if (!config.enabled) return undefined;
  const alerts = new AlertDelivery({
    db,
    gatewayId: deps.gatewayId,
    derived: deps.derived,
    mqtt:
      mqtt && config.alerts.mqttTopic !== ""
        ? { topic: config.alerts.mqttTopic, publish: (topic, payload) => mqtt.publish(topic, payload) }
        : undefined,
    webhook: config.alerts.webhook,
    logger: logger.child({ component: "alerts" }),
  });
  const rules = new RuleEngine({
    db,
    rules: config.rules,
    webhook: config.alerts.webhook !== undefined,
    onAlert: () => setImmediate(() => alerts.wake()),
  });
  const follower = new AnalyticsFollower({
    db,
    allowedLatenessMs: config.allowedLatenessMs,
    observer: rules,
    logger: logger.child({ component: "analytics" }),
  });
  const applyRetention = () => {
    const now = Date.now();
    return (
      follower.rollups.deleteBefore(ROLLUP_RESOLUTIONS["1m"], now - config.retention.minuteDays * DAY_MS) +
      follower.rollups.deleteBefore(ROLLUP_RESOLUTIONS["1h"], now - config.retention.hourDays * DAY_MS)
    );
  };
  applyRetention();
  const stopRetention = every(RETENTION_INTERVAL_MS, applyRetention, (error) =>
    logger.error({ err: error }, "deleting rollups beyond their retention failed"),
  );
  follower.start(config.intervalMs);
  alerts.start();
  return {
    follower,
    alerts,
    applyRetention,
    async stop() {
      follower.stop();
      await stopRetention();
      await alerts.stop();
    },
  };
}
