import { errorMessage } from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { DerivedStore } from "../store/derived-store.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import type { RuleChange } from "./rule-engine.js";

/** A rule's firing or resolution as it is published (MQTT, webhook, flows). */
export interface RuleAlertMessage extends RuleChange {
  gatewayId: string;
  /** gateway_seq of the alert reading, anchored like any reading. */
  alertGatewaySeq: number;
  deviceId: string;
  /** The reading that made the rule change, when one did (not for no-data rules). */
  subjectGatewaySeq?: number;
  atMs: number;
}

interface RuleAlertRow extends RuleChange {
  id: number;
  subject_device_id: string;
  subject_gateway_seq: number | null;
  at_ms: number;
  alert_gateway_seq: number | null;
  webhook_attempts: number;
}

export interface WebhookTarget {
  url: string;
  maxAttempts: number;
  timeoutMs: number;
}

export interface AlertDeliveryOptions {
  db: SqliteDatabase;
  gatewayId: string;
  derived: Pick<DerivedStore, "raiseAlert">;
  /** Publishes on the gateway's MQTT broker; undefined: alerts are not published. */
  mqtt: { topic: string; publish(topic: string, payload: Buffer): Promise<boolean> } | undefined;
  webhook: WebhookTarget | undefined;
  /** Told of each alert once stored (for flows). */
  onStored?: (alert: RuleAlertMessage) => void;
  logger: Logger;
  /** How often undelivered alerts are looked for besides being woken (retries, after a restart). */
  intervalMs?: number;
  /** The wall clock, for which alerts MQTT still catches up on. */
  now?: () => number;
}

/** A webhook is retried after 0.5 s, 1 s, 2 s, … up to a minute between attempts. */
function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 500 * 2 ** Math.max(0, attempts - 1));
}

/** MQTT gets the alerts of the last day that it missed (the broker was away, the gateway restarted). */
const MQTT_CATCH_UP_MS = 86_400_000;

/**
 * Delivers what rules fired and resolved, in order: first as an alert reading (the gateway's
 * alert write-back, stored, batched and anchored like a reading; the live stream shows it),
 * marked delivered in the same transaction, so a restart neither loses nor repeats one; then
 * on MQTT and to the webhook, at least once (a retry after a restart may repeat one: the
 * alert's gateway sequence number tells copies apart), and to `onStored` (flows).
 */
export class AlertDelivery {
  private readonly options: AlertDeliveryOptions;
  private readonly now: () => number;
  /** By alert id: when (performance.now()) the webhook is tried next. */
  private readonly nextWebhookAttemptMs = new Map<number, number>();
  private readonly statements;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: AlertDeliveryOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    const { db } = options;
    this.statements = {
      toStore: db.prepare("SELECT * FROM rule_alerts WHERE alert_gateway_seq IS NULL ORDER BY id LIMIT 100"),
      stored: db.prepare("UPDATE rule_alerts SET alert_gateway_seq = ? WHERE id = ?"),
      toPublish: db.prepare(
        "SELECT * FROM rule_alerts WHERE alert_gateway_seq IS NOT NULL AND mqtt_published_at_ms IS NULL AND at_ms > ? ORDER BY id LIMIT 100",
      ),
      published: db.prepare("UPDATE rule_alerts SET mqtt_published_at_ms = ? WHERE id = ?"),
      toPost: db.prepare(
        "SELECT * FROM rule_alerts WHERE alert_gateway_seq IS NOT NULL AND webhook_state = 'pending' ORDER BY id LIMIT 100",
      ),
      posted: db.prepare("UPDATE rule_alerts SET webhook_state = ?, webhook_attempts = ? WHERE id = ?"),
    };
  }

  start(): void {
    const intervalMs = this.options.intervalMs ?? 1_000;
    this.timer = setInterval(() => this.wake(), intervalMs);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Looks for alerts to deliver now (the rules just stored some). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliver()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, "delivering alerts failed; retrying"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async deliver(): Promise<void> {
    await this.storeAlerts();
    await this.publishAlerts();
    await this.postAlerts();
  }

  private messageOf(row: RuleAlertRow, alertGatewaySeq: number): RuleAlertMessage {
    return {
      gatewayId: this.options.gatewayId,
      alertGatewaySeq,
      rule: row.rule,
      subject: row.subject,
      state: row.state,
      severity: row.severity,
      code: row.code,
      message: row.message,
      deviceId: row.subject_device_id,
      ...(row.subject_gateway_seq === null ? {} : { subjectGatewaySeq: row.subject_gateway_seq }),
      atMs: row.at_ms,
    };
  }

  private async storeAlerts(): Promise<void> {
    for (;;) {
      const rows = this.statements.toStore.all() as RuleAlertRow[];
      if (rows.length === 0 || this.stopped) return;
      // Submitted together, they are stored in one group commit, in order.
      const stored = await Promise.all(
        rows.map((row) =>
          this.options.derived.raiseAlert(
            {
              source: "rules",
              severity: row.severity,
              code: row.code,
              message: row.message,
              subjectDeviceId: row.subject_device_id,
              subjectGatewaySeq: row.subject_gateway_seq ?? undefined,
            },
            { alongside: (seq) => this.statements.stored.run(seq, row.id) },
          ),
        ),
      );
      for (const [i, { reading }] of stored.entries())
        this.options.onStored?.(this.messageOf(rows[i] as RuleAlertRow, reading.gatewaySeq));
    }
  }

  private async publishAlerts(): Promise<void> {
    const { mqtt } = this.options;
    if (!mqtt || mqtt.topic === "") return;
    const rows = this.statements.toPublish.all(this.now() - MQTT_CATCH_UP_MS) as RuleAlertRow[];
    for (const row of rows) {
      const payload = Buffer.from(JSON.stringify(this.messageOf(row, row.alert_gateway_seq as number)));
      // Not connected now: tried again at the next look.
      if (!(await mqtt.publish(mqtt.topic, payload))) return;
      this.statements.published.run(this.now(), row.id);
    }
  }

  private async postAlerts(): Promise<void> {
    const { webhook, logger } = this.options;
    if (!webhook) return;
    const rows = this.statements.toPost.all() as RuleAlertRow[];
    for (const row of rows) {
      // Not due yet: later alerts wait for it, to keep the order.
      if ((this.nextWebhookAttemptMs.get(row.id) ?? 0) > performance.now()) return;
      const attempts = row.webhook_attempts + 1;
      let failure: string | undefined;
      try {
        const response = await fetch(webhook.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(this.messageOf(row, row.alert_gateway_seq as number)),
          signal: AbortSignal.timeout(webhook.timeoutMs),
        });
        if (!response.ok) failure = `answered ${response.status}`;
      } catch (error) {
        failure = errorMessage(error);
      }
      if (failure === undefined) {
        this.statements.posted.run("delivered", attempts, row.id);
        this.nextWebhookAttemptMs.delete(row.id);
        continue;
      }
      const final = attempts >= webhook.maxAttempts;
      this.statements.posted.run(final ? "failed" : "pending", attempts, row.id);
      if (final) this.nextWebhookAttemptMs.delete(row.id);
      else this.nextWebhookAttemptMs.set(row.id, performance.now() + retryDelayMs(attempts));
      logger.warn(
        { alert: row.id, attempts, failure, final },
        final ? "alert webhook gave up" : "alert webhook failed; retrying",
      );
      // Keep the order: later alerts wait for this one.
      return;
    }
  }
}
