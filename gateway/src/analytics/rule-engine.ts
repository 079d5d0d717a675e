import { Channel } from "@intelledger/proto/device";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { isDerivedDeviceId } from "../store/derived-store.js";
import { DEFAULT_ALERT_CODES, matchesDevice, type AlertRule } from "./alert-rule-schema.js";
import type { DecidedAnomaly, FollowedReading, ReadingObserver } from "./analytics-follower.js";
import { SlidingEventCount } from "./event-windows.js";
import { formatStreamId, streamKey, type StreamId } from "./stream-id.js";

type StreamRule = Exclude<AlertRule, { kind: "no-data" }>;
type NoDataRule = Extract<AlertRule, { kind: "no-data" }>;

const CHANNELS_BY_NAME: Record<NonNullable<StreamRule["channel"]>, number> = {
  temperature: Channel.CHANNEL_TEMPERATURE,
  humidity: Channel.CHANNEL_HUMIDITY,
  vibration: Channel.CHANNEL_VIBRATION,
  analog: Channel.CHANNEL_ANALOG,
};
const MEASURED = new Set<number>(Object.values(CHANNELS_BY_NAME));

/** What a rule remembers of one subject between readings (and across restarts). */
interface SubjectState {
  firing: boolean;
  /** rate-of-change: the newest sample; anomalies: the window's anomaly times. */
  memory: { atMs?: number; value?: number; times?: number[]; newestMs?: number | null };
  dirty: boolean;
}

/** What a rule's firing or resolution says, wherever it is carried (stored, delivered, published). */
export interface RuleChange {
  rule: string;
  subject: string;
  state: "firing" | "resolved";
  severity: "info" | "warning" | "critical";
  code: number;
  message: string;
}

/** A firing or resolution, as stored for delivery. */
export interface RuleAlert extends RuleChange {
  subjectDeviceId: string;
  subjectGatewaySeq: number | undefined;
  atMs: number;
}

/** Flows' virtual devices are watched only by rules that name them (a pattern starting flow.). */
function watches(rule: AlertRule, deviceId: string): boolean {
  if (isDerivedDeviceId(deviceId) && !isDerivedDeviceId(rule.device)) return false;
  return matchesDevice(rule.device, deviceId);
}

function watchesStream(rule: StreamRule, deviceId: string, channel: number, index: number): boolean {
  if (!MEASURED.has(channel)) return false;
  if (rule.channel !== undefined && CHANNELS_BY_NAME[rule.channel] !== channel) return false;
  if (rule.index !== undefined && rule.index !== index) return false;
  return watches(rule, deviceId);
}

function round(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/**
 * Evaluates the configured alert rules on the readings the analytics follower takes. Each
 * rule's state per subject and every firing or resolution are written in the follower's
 * flush, with the cursors (a firing flushes at once), so a restart neither repeats nor
 * loses one. A subject fires once until it resolves (repeated crossings while firing are
 * not new alerts).
 */
export class RuleEngine implements ReadingObserver {
  private readonly rules: readonly AlertRule[];
  private readonly states = new Map<string, SubjectState>();
  private readonly rulesOfStream = new Map<string, StreamRule[]>();
  private readonly statements;
  private readonly onAlert: () => void;
  /** 'pending' when alerts also go to a webhook. */
  private readonly webhookState: "pending" | null;
  private pending: RuleAlert[] = [];

  constructor(deps: { db: SqliteDatabase; rules: readonly AlertRule[]; webhook: boolean; onAlert?: () => void }) {
    const { db } = deps;
    this.rules = deps.rules;
    this.onAlert = deps.onAlert ?? (() => undefined);
    this.webhookState = deps.webhook ? "pending" : null;
    this.statements = {
      load: db.prepare("SELECT rule, subject, firing, memory FROM alert_rule_state"),
      forget: db.prepare("DELETE FROM alert_rule_state WHERE rule = ?"),
      save: db.prepare(
        `INSERT INTO alert_rule_state (rule, subject, firing, memory) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET firing = excluded.firing, memory = excluded.memory`,
      ),
      insertAlert: db.prepare(
        `INSERT INTO rule_alerts (rule, subject, state, severity, code, message, subject_device_id, subject_gateway_seq, at_ms,
           webhook_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
    const names = new Set(this.rules.map((rule) => rule.name));
    const rows = this.statements.load.all() as { rule: string; subject: string; firing: number; memory: string }[];
    for (const row of rows) {
      // A rule taken out of the configuration takes its state with it.
      if (!names.has(row.rule)) {
        this.statements.forget.run(row.rule);
        continue;
      }
      this.states.set(`${row.rule}\u0000${row.subject}`, {
        firing: row.firing === 1,
        memory: JSON.parse(row.memory) as SubjectState["memory"],
        dirty: false,
      });
    }
  }

  get urgent(): boolean {
    return this.pending.length > 0;
  }

  watches(stream: StreamId): boolean {
    return this.streamRules(stream.deviceId, stream.channel, stream.index).length > 0;
  }

  onValue(reading: FollowedReading, nowMs: number): void {
    // Late readings update rollups only: what they say is already history.
    if (reading.late) return;
    for (const rule of this.streamRules(reading.deviceId, reading.channel, reading.index)) {
      if (rule.kind === "threshold") this.threshold(rule, reading, nowMs);
      else if (rule.kind === "rate-of-change") this.rate(rule, reading, nowMs);
    }
  }

  onAnomaly(anomaly: DecidedAnomaly, nowMs: number): void {
    for (const rule of this.streamRules(anomaly.deviceId, anomaly.channel, anomaly.index)) {
      if (rule.kind === "anomalies") this.anomalies(rule, anomaly, anomaly.sampledAtMs, true, nowMs);
    }
  }

  onTick(
    decidedWatermarks: ReadonlyMap<string, { stream: StreamId; watermarkMs: number }>,
    lastReceivedByDevice: ReadonlyMap<string, number>,
    nowMs: number,
  ): void {
    // Anomaly windows move on with event time, as far as inference has decided it.
    for (const { stream, watermarkMs } of decidedWatermarks.values()) {
      for (const rule of this.streamRules(stream.deviceId, stream.channel, stream.index)) {
        if (rule.kind === "anomalies") this.anomalies(rule, stream, watermarkMs, false, nowMs);
      }
    }
    for (const rule of this.rules) {
      if (rule.kind !== "no-data") continue;
      for (const [deviceId, lastMs] of lastReceivedByDevice) {
        if (watches(rule, deviceId)) this.noData(rule, deviceId, lastMs, nowMs);
      }
    }
  }

  persist(): void {
    for (const [key, state] of this.states) {
      if (!state.dirty) continue;
      const [rule, subject] = key.split("\u0000") as [string, string];
      this.statements.save.run(rule, subject, state.firing ? 1 : 0, JSON.stringify(state.memory));
    }
    for (const alert of this.pending) {
      this.statements.insertAlert.run(
        alert.rule,
        alert.subject,
        alert.state,
        alert.severity,
        alert.code,
        alert.message,
        alert.subjectDeviceId,
        alert.subjectGatewaySeq ?? null,
        alert.atMs,
        this.webhookState,
      );
    }
  }

  persisted(): void {
    for (const state of this.states.values()) state.dirty = false;
    if (this.pending.length === 0) return;
    this.pending = [];
    this.onAlert();
  }

  private streamRules(deviceId: string, channel: number, index: number): StreamRule[] {
    const key = streamKey(deviceId, channel, index);
    let rules = this.rulesOfStream.get(key);
    if (!rules) {
      rules = this.rules.filter(
        (rule): rule is StreamRule => rule.kind !== "no-data" && watchesStream(rule, deviceId, channel, index),
      );
      this.rulesOfStream.set(key, rules);
    }
    return rules;
  }

  private state(rule: AlertRule, subject: string): SubjectState {
    const key = `${rule.name}\u0000${subject}`;
    let state = this.states.get(key);
    if (!state) {
      state = { firing: false, memory: {}, dirty: true };
      this.states.set(key, state);
    }
    return state;
  }

  private threshold(rule: Extract<AlertRule, { kind: "threshold" }>, reading: FollowedReading, nowMs: number): void {
    const subject = formatStreamId({ deviceId: reading.deviceId, channel: reading.channel, index: reading.index });
    const state = this.state(rule, subject);
    const { above, below, hysteresis } = rule;
    const value = reading.value;
    if (!state.firing) {
      const crossed =
        above !== undefined && value > above
          ? `above ${above}`
          : below !== undefined && value < below
            ? `below ${below}`
            : undefined;
      if (crossed) this.change(rule, subject, state, reading, nowMs, true, `${subject} is ${round(value)}, ${crossed}`);
    } else if ((above === undefined || value <= above - hysteresis) && (below === undefined || value >= below + hysteresis)) {
      this.change(rule, subject, state, reading, nowMs, false, `${subject} is back at ${round(value)}`);
    }
  }

  private rate(rule: Extract<AlertRule, { kind: "rate-of-change" }>, reading: FollowedReading, nowMs: number): void {
    const subject = formatStreamId({ deviceId: reading.deviceId, channel: reading.channel, index: reading.index });
    const state = this.state(rule, subject);
    const { atMs, value } = state.memory;
    // Out of order within the allowed lateness: not a step forward in time.
    if (atMs !== undefined && reading.sampledAtMs <= atMs) return;
    state.memory = { atMs: reading.sampledAtMs, value: reading.value };
    state.dirty = true;
    if (atMs === undefined || value === undefined) return;
    const perSecond = Math.abs(reading.value - value) / ((reading.sampledAtMs - atMs) / 1_000);
    if (!state.firing && perSecond > rule.maxPerSecond) {
      this.change(
        rule,
        subject,
        state,
        reading,
        nowMs,
        true,
        `${subject} changes ${round(perSecond)}/s, over ${rule.maxPerSecond}/s`,
      );
    } else if (state.firing && perSecond <= rule.maxPerSecond) {
      this.change(rule, subject, state, reading, nowMs, false, `${subject} changes ${round(perSecond)}/s again`);
    }
  }

  private anomalies(
    rule: Extract<AlertRule, { kind: "anomalies" }>,
    stream: StreamId & { gatewaySeq?: number },
    atMs: number,
    anomalous: boolean,
    nowMs: number,
  ): void {
    const subject = formatStreamId(stream);
    const state = this.state(rule, subject);
    const windowMs = rule.windowSeconds * 1_000;
    const counter = new SlidingEventCount(windowMs, rule.count, state.memory.times ?? [], state.memory.newestMs ?? undefined);
    const before = counter.state;
    if (anomalous) counter.add(atMs);
    else counter.advance(atMs);
    const { times, newestMs } = counter.state;
    if (JSON.stringify(before) !== JSON.stringify(counter.state)) {
      state.memory = { times, newestMs: Number.isFinite(newestMs) ? newestMs : null };
      state.dirty = true;
    }
    if (!state.firing && counter.count >= rule.count) {
      this.change(
        rule,
        subject,
        state,
        { ...stream, deviceId: stream.deviceId },
        nowMs,
        true,
        `${subject}: ${counter.count} anomalies within ${rule.windowSeconds} s`,
      );
    } else if (state.firing && counter.count === 0) {
      this.change(
        rule,
        subject,
        state,
        { deviceId: stream.deviceId },
        nowMs,
        false,
        `${subject}: no anomaly within ${rule.windowSeconds} s`,
      );
    }
  }

  private noData(rule: NoDataRule, deviceId: string, lastMs: number, nowMs: number): void {
    const state = this.state(rule, deviceId);
    const silentMs = nowMs - lastMs;
    if (!state.firing && silentMs > rule.seconds * 1_000) {
      this.change(
        rule,
        deviceId,
        state,
        { deviceId },
        nowMs,
        true,
        `nothing from ${deviceId} for ${Math.round(silentMs / 1_000)} s`,
      );
    } else if (state.firing && silentMs <= rule.seconds * 1_000) {
      this.change(rule, deviceId, state, { deviceId }, nowMs, false, `${deviceId} is sending again`);
    }
  }

  private change(
    rule: AlertRule,
    subject: string,
    state: SubjectState,
    cause: { deviceId: string; gatewaySeq?: number },
    nowMs: number,
    firing: boolean,
    detail: string,
  ): void {
    state.firing = firing;
    state.dirty = true;
    const code = rule.code ?? DEFAULT_ALERT_CODES[rule.kind];
    const alert: RuleAlert = {
      rule: rule.name,
      subject,
      state: firing ? "firing" : "resolved",
      severity: firing ? rule.severity : "info",
      code: firing ? code : code + 1,
      message: `${rule.name} ${firing ? "firing" : "resolved"}: ${detail}`,
      subjectDeviceId: cause.deviceId,
      subjectGatewaySeq: cause.gatewaySeq,
      atMs: nowMs,
    };
    this.pending.push(alert);
  }
}
