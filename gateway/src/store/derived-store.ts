import { Channel } from "@intelledger/proto/device";
import type { ClockReading } from "../clock/gateway-clock.js";
import { GatewayError } from "../errors.js";
import { GroupCommit } from "./group-commit.js";
import type { DataClasses } from "./data-classes.js";
import type { SqliteDatabase } from "./gateway-database.js";
import type { ReadingStore, StoredReading } from "./reading-store.js";

/** Device ids of flows' virtual devices start with this; real devices may not use it. */
const DERIVED_SOURCE_PREFIX = "flow.";

const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface DerivedReadingInput {
  /** The flow's name for what it derives; the reading's device id is `flow.<source>`. */
  source: string;
  channel: Channel;
  channelIndex: number;
  /** Fixed point, like a device's sample: the physical value is value × 10^-scale. */
  value: number;
  scale: number;
  sampledAtMs?: number | undefined;
}

export interface AlertInput {
  source: string;
  severity: AlertSeverity;
  /** Defined by the flow for this kind of alert; anchored as the reading's channel index. */
  code: number;
  message: string;
  subjectDeviceId?: string | undefined;
  subjectGatewaySeq?: number | undefined;
}

/** An alert as stored: its text here, its anchored part the reading at `gatewaySeq`. */
export interface AlertRecord {
  gatewaySeq: number;
  source: string;
  severity: AlertSeverity;
  code: number;
  message: string;
  subjectDeviceId: string | undefined;
  subjectGatewaySeq: number | undefined;
  raisedAtMs: number;
}

interface AlertRow {
  gateway_seq: number;
  source_id: string;
  severity: AlertSeverity;
  code: number;
  message: string;
  subject_device_id: string | null;
  subject_gateway_seq: number | null;
  raised_at_ms: number;
}

interface PendingWrite {
  deviceId: string;
  clock: ClockReading;
  sample: { channel: Channel; index: number; timestampMs: number; value: number; scale: number };
  alert: AlertInput | undefined;
  /** Runs in the transaction that stores the alert, with its gateway_seq. */
  alongside?: ((gatewaySeq: number) => void) | undefined;
  stored?: StoredReading | undefined;
}

export interface DerivedStoreDeps {
  db: SqliteDatabase;
  readings: ReadingStore;
  clock: { read(): ClockReading };
  dataClasses: DataClasses;
  storage: { readonly full: boolean };
  groupCommitDelayMs: number;
}

const SOURCE = /^[A-Za-z0-9._-]{1,26}$/;
const MEASURED_CHANNELS = new Set<Channel>([
  Channel.CHANNEL_TEMPERATURE,
  Channel.CHANNEL_HUMIDITY,
  Channel.CHANNEL_VIBRATION,
  Channel.CHANNEL_ANALOG,
]);
const MAX_MESSAGE_LENGTH = 1_000;
const INT32 = 2 ** 31;

export function isDerivedDeviceId(deviceId: string): boolean {
  return deviceId.startsWith(DERIVED_SOURCE_PREFIX);
}

function severityLevel(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity) + 1;
}

function sourceDeviceId(source: string): string {
  if (!SOURCE.test(source)) throw new GatewayError("a source name is 1 to 26 characters of A-Z a-z 0-9 . _ -", { source });
  return DERIVED_SOURCE_PREFIX + source;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GatewayError(`${name} must be an integer from ${min} to ${max}`, { [name]: value });
  }
}

/**
 * What flows write back: derived readings and alerts. Each is a reading of the virtual
 * device `flow.<source>`, stored through the reading store like a device's frame, so it
 * gets a gateway sequence number, a data class and a place in batches, Merkle roots and
 * anchors exactly as a device's sample does. Writes are group-committed like ingest, so a
 * busy flow costs one fsync per few milliseconds, not one per value, and they are refused
 * while the disk quota is reached, as frames are.
 */
export class DerivedStore {
  private readonly deps: DerivedStoreDeps;
  private readonly commits: GroupCommit<PendingWrite>;

  constructor(deps: DerivedStoreDeps) {
    this.deps = deps;
    const { db, readings, dataClasses } = deps;
    const register = db.prepare(
      "INSERT INTO derived_sources (source_id, last_counter, registered_at_ms) VALUES (?, 0, ?) ON CONFLICT DO NOTHING",
    );
    const nextCounter = db.prepare(
      "UPDATE derived_sources SET last_counter = last_counter + 1 WHERE source_id = ? RETURNING last_counter",
    );
    const lastInserted = db.prepare("SELECT last_insert_rowid() AS seq");
    const insertAlert = db.prepare(
      `INSERT INTO alerts (gateway_seq, source_id, severity, code, message, subject_device_id, subject_gateway_seq, raised_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const commit = db.transaction((writes: PendingWrite[]) => {
      for (const write of writes) {
        register.run(write.deviceId, write.clock.nowMs);
        const { last_counter: counter } = nextCounter.get(write.deviceId) as { last_counter: number };
        readings.commitFrames([
          {
            deviceId: write.deviceId,
            counter,
            clock: write.clock,
            transport: "flow",
            status: undefined,
            samples: [{ ...write.sample, dataClass: dataClasses.of(write.sample.channel) }],
          },
        ]);
        const { seq } = lastInserted.get() as { seq: number };
        const { alert } = write;
        if (alert) {
          insertAlert.run(
            seq,
            write.deviceId,
            alert.severity,
            alert.code,
            alert.message,
            alert.subjectDeviceId ?? null,
            alert.subjectGatewaySeq ?? null,
            write.clock.nowMs,
          );
          write.alongside?.(seq);
        }
        write.stored = readings.between(seq, seq)[0];
      }
    });
    this.commits = new GroupCommit<PendingWrite>((writes) => commit(writes), {
      maxDelayMs: deps.groupCommitDelayMs,
      maxItems: 256,
    });
  }

  /** Stores a derived reading; resolves once it is durable. */
  async writeReading(input: DerivedReadingInput): Promise<StoredReading> {
    if (!MEASURED_CHANNELS.has(input.channel)) {
      throw new GatewayError("a derived reading is on a temperature, humidity, vibration or analog channel", {
        channel: input.channel,
      });
    }
    checkInteger("channelIndex", input.channelIndex, 0, INT32 - 1);
    checkInteger("value", input.value, -INT32, INT32 - 1);
    checkInteger("scale", input.scale, 0, 9);
    const deviceId = sourceDeviceId(input.source);
    const clock = this.deps.clock.read();
    const timestampMs = input.sampledAtMs ?? clock.nowMs;
    checkInteger("sampledAtMs", timestampMs, 0, Number.MAX_SAFE_INTEGER);
    return this.commitWrite({
      deviceId,
      clock,
      sample: { channel: input.channel, index: input.channelIndex, timestampMs, value: input.value, scale: input.scale },
      alert: undefined,
    });
  }

  /**
   * Stores an alert as a reading on the ALERT channel (value = severity level, channel
   * index = code) with its text beside it; resolves once it is durable. `alongside` runs in
   * the transaction that stores it, so what it records is durable with the alert or not at all.
   */
  async raiseAlert(
    input: AlertInput,
    options: { alongside?: (gatewaySeq: number) => void } = {},
  ): Promise<{ alert: AlertRecord; reading: StoredReading }> {
    if (!ALERT_SEVERITIES.includes(input.severity))
      throw new GatewayError("unknown alert severity", { severity: input.severity });
    checkInteger("code", input.code, 0, INT32 - 1);
    if (typeof input.message !== "string" || input.message.length > MAX_MESSAGE_LENGTH) {
      throw new GatewayError(`an alert message is text of at most ${MAX_MESSAGE_LENGTH} characters`);
    }
    const deviceId = sourceDeviceId(input.source);
    const clock = this.deps.clock.read();
    const reading = await this.commitWrite({
      deviceId,
      clock,
      sample: {
        channel: Channel.CHANNEL_ALERT,
        index: input.code,
        timestampMs: clock.nowMs,
        value: severityLevel(input.severity),
        scale: 0,
      },
      alert: input,
      alongside: options.alongside,
    });
    return {
      reading,
      alert: {
        gatewaySeq: reading.gatewaySeq,
        source: input.source,
        severity: input.severity,
        code: input.code,
        message: input.message,
        subjectDeviceId: input.subjectDeviceId,
        subjectGatewaySeq: input.subjectGatewaySeq,
        raisedAtMs: clock.nowMs,
      },
    };
  }

  /** Alerts, newest first. */
  alerts(limit = 100): AlertRecord[] {
    const rows = this.deps.db.prepare("SELECT * FROM alerts ORDER BY gateway_seq DESC LIMIT ?").all(limit) as AlertRow[];
    return rows.map((row) => ({
      gatewaySeq: row.gateway_seq,
      source: row.source_id.slice(DERIVED_SOURCE_PREFIX.length),
      severity: row.severity,
      code: row.code,
      message: row.message,
      subjectDeviceId: row.subject_device_id ?? undefined,
      subjectGatewaySeq: row.subject_gateway_seq ?? undefined,
      raisedAtMs: row.raised_at_ms,
    }));
  }

  /** Commits whatever is waiting; called before shutting down. */
  flush(): void {
    this.commits.flush();
  }

  private async commitWrite(write: PendingWrite): Promise<StoredReading> {
    if (this.deps.storage.full) throw new GatewayError("disk quota reached; nothing is written back until space is freed");
    await this.commits.submit(write);
    if (!write.stored) throw new GatewayError("derived write was committed without a result");
    return write.stored;
  }
}
