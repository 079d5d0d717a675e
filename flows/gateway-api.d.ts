/**
 * What the IntelLedger nodes need from the gateway that runs them. Node-RED's process puts
 * an object implementing IntelLedgerGatewayApi into Node-RED's settings as
 * `intelledgerGateway` (runtime/channel-gateway-api.js, over the channel to the gateway in
 * channel-messages.d.ts); the config node hands it to the other nodes. No HTTP, no
 * credentials: the channel is the process's own.
 */
import type { NodeAPISettingsWithData } from "@node-red/registry";

export type MeasuredChannel = "temperature" | "humidity" | "vibration" | "analog";
export type ChannelName = MeasuredChannel | "alert";

/** A reading as the gateway stored it: a device's verified sample, or what a flow wrote back. */
export interface FlowReading {
  /** The reading's place in the gateway's record, its batches and their anchors. */
  gatewaySeq: number;
  /** The device, or `flow.<source>` for what a flow wrote back. */
  deviceId: string;
  /** True when a flow wrote it rather than a device measuring it. */
  derived: boolean;
  channel: ChannelName;
  channelIndex: number;
  /** Fixed point: the physical value is value × 10^-scale. */
  value: number;
  scale: number;
  /** Device clock when sampled (for derived readings, when the value applies), ms since the epoch. */
  sampledAtMs: number;
  /** Gateway clock when stored, ms since the epoch. */
  receivedAtMs: number;
  /** The device's frame counter, or the source's write counter for derived readings (exact below 2^53). */
  frameCounter: number;
}

export interface AnomalyScore {
  /** Higher is more anomalous. */
  score: number;
  /** Whether the score crossed the model's threshold. */
  flagged: boolean;
  /** Name and version of the model that scored the reading. */
  model: string;
  threshold: number;
}

export interface ScoredReading {
  reading: FlowReading;
  anomaly: AnomalyScore;
}

/** Alarm bounds for one channel, in physical units. */
export interface ThresholdSetting {
  channel: MeasuredChannel;
  index: number;
  min: number;
  max: number;
  /** Decimals the device keeps: the bounds travel in fixed point with this scale. */
  scale: number;
}

export type DeviceAction =
  | { type: "setSamplingInterval"; intervalMs: number }
  | { type: "setThresholds"; thresholds: ThresholdSetting[] }
  | { type: "reboot" };

export interface CommandReceipt {
  deviceId: string;
  /** Strictly increasing per device. */
  commandId: number;
  /** What the device answered: `applied`, or why not (`bad_signature`, `replayed`, `wrong_device`, `invalid`). */
  result: string;
}

export interface DerivedReadingInput {
  /** Names the virtual device `flow.<source>`: 1 to 26 characters of A-Z a-z 0-9 . _ - */
  source: string;
  channel: MeasuredChannel;
  channelIndex: number;
  /** Physical value; stored in fixed point, rounded to `scale` decimals. */
  value: number;
  scale: number;
  /** When the value applies; the gateway's clock when absent. */
  sampledAtMs?: number | undefined;
}

export type AlertSeverity = "info" | "warning" | "critical";

export interface AlertInput {
  source: string;
  severity: AlertSeverity;
  /** A number the flow defines for this kind of alert; it is anchored with the alert. */
  code: number;
  message: string;
  /** The reading the alert is about, if any. */
  subject?: { deviceId: string; gatewaySeq?: number | undefined } | undefined;
}

export interface StoredAlert {
  /** The anchored part: a reading of `flow.<source>` on the `alert` channel. */
  reading: FlowReading;
  severity: AlertSeverity;
  code: number;
  message: string;
}

export interface GatewayStatus {
  gatewayId: string;
  readingsStored: number;
  framesAccepted: number;
  framesRejected: number;
  batchesSealed: number;
  batchesAcked: number;
  backlog: { batches: number; readings: number };
  /** `not-configured` when the gateway has no relay. */
  uplink: string;
}

/** A stream's series over a span, as GET /api/series answers it (docs/analytics.md). */
export interface SeriesRequest {
  /** `<deviceId>/<channel>[/<index>]` */
  stream: string;
  /** Sample times, ms since the epoch; the last day by default. */
  fromMs?: number | undefined;
  toMs?: number | undefined;
  /** `auto` (default) picks raw readings, 1-minute or 1-hour rollups by the span. */
  resolution?: "auto" | "raw" | "1m" | "1h" | undefined;
  /** At most this many points (10,000 by default). */
  limit?: number | undefined;
}

/** One bucket of one stream's rollup at one resolution, physical values. */
export interface RollupBucket {
  /** The bucket's start, ms since the epoch (sample time). */
  bucketMs: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  lastSampledAtMs: number;
  anomalyCount: number;
  /** Readings that arrived later than the allowed lateness. */
  lateCount: number;
}

export interface SeriesAnswer {
  stream: string;
  fromMs: number;
  toMs: number;
  resolution: "raw" | "1m" | "1h";
  /** Raw readings, physical values; `anomalous` null while undecided. */
  readings?: { gatewaySeq: number; sampledAtMs: number; value: number; anomalous: boolean | null }[];
  /** Rollup buckets by their start. */
  buckets?: RollupBucket[];
  truncated: boolean;
}

/** A firing or resolution of one of the gateway's alert rules, once stored as an anchored alert reading. */
export interface RuleAlert {
  gatewayId: string;
  /** The alert reading's place in the gateway's record. */
  alertGatewaySeq: number;
  rule: string;
  /** The stream (`press-07/temperature/0`) or, for no-data rules, the device. */
  subject: string;
  state: "firing" | "resolved";
  severity: AlertSeverity;
  code: number;
  message: string;
  deviceId: string;
  /** The reading that made the rule change, if one did. */
  subjectGatewaySeq?: number;
  atMs: number;
}

export interface IntelLedgerGatewayApi {
  readonly gatewayId: string;
  /** Every reading stored from now on, in gateway sequence order, a few at a time. */
  subscribeReadings(listener: (readings: readonly FlowReading[]) => void): () => void;
  /** Every reading inference scores, flagged or not. */
  subscribeScores(listener: (scored: ScoredReading) => void): () => void;
  /**
   * Signs the command, sends it over the device's transport and resolves with the device's
   * answer; rejects when the device is unknown, unreachable or does not answer in time.
   * `requestedBy` names the node, for the audit log.
   */
  sendDeviceCommand(deviceId: string, action: DeviceAction, requestedBy: string): Promise<CommandReceipt>;
  /** Resolves once the reading is durable; it is batched and anchored like a device's. */
  writeDerivedReading(input: DerivedReadingInput): Promise<FlowReading>;
  raiseAlert(input: AlertInput): Promise<StoredAlert>;
  /** A stream's readings or rollups over a span; rejects naming what is wrong with the request. */
  querySeries(request: SeriesRequest): Promise<SeriesAnswer>;
  /** Every firing and resolution of the gateway's alert rules from now on. */
  subscribeRuleAlerts(listener: (alert: RuleAlert) => void): () => void;
  status(): GatewayStatus;
}

/** Node-RED's settings as the IntelLedger nodes see them. */
export interface IntelLedgerSettings extends NodeAPISettingsWithData {
  /** Absent when Node-RED runs outside a gateway. */
  intelledgerGateway?: IntelLedgerGatewayApi;
}
