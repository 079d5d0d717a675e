import type { RateEstimator } from "@intelledger/service-kit";
import type { DeviceAdmission } from "./acceptance/device-admission.js";
import type { RunningInference } from "./inference/start-inference.js";
import type { BleTransport } from "./ingest/ble-transport.js";
import type { IngestCounters, IngestPipeline } from "./acceptance/ingest-pipeline.js";
import type { SerialTransport } from "./ingest/serial-transport.js";
import type { MqttRefusalReason } from "./ingest/mqtt-access.js";
import type { RunningProving } from "./prove/start-proving.js";
import { daysOfAutonomy } from "./store/days-of-autonomy.js";
import type { StorageGuard, StorageState } from "./store/storage-guard.js";
import type { Backlog, BatchOutbox } from "./batch/batch-outbox.js";
import type { ReadingStore } from "./store/reading-store.js";
import type { BatchUploader, UplinkStatus } from "./uplink/batch-uploader.js";
import type { Subsystems, SubsystemStatus } from "./supervision/subsystems.js";

/** The gateway's state at one moment: what status pages, metrics and flows show. */
export interface GatewaySnapshot {
  gatewayId: string;
  ingest: IngestCounters;
  quarantinedDevices: string[];
  /** What the embedded broker refused (logins, publishes, subscriptions, packets), by reason; undefined with an external broker. */
  mqttRefusals: Record<MqttRefusalReason, number> | undefined;
  serial: { openPorts: string[]; framingErrors: SerialTransport["framingErrors"] } | undefined;
  ble: { connectedDevices: string[]; framingErrors: BleTransport["framingErrors"] } | undefined;
  readingsStored: number;
  batchesSealed: number;
  readingsSealed: number;
  batchesAcked: number;
  backlog: Backlog;
  storage: StorageState & { daysOfAutonomy: number; ingestReadingsPerSecond: number };
  /** Readings per second the relay acknowledged, lately. */
  drainReadingsPerSecond: number;
  uplink: UplinkStatus | undefined;
  /** Batch proofs: made, taken by the relay, found invalid by it; proving runs and failures. */
  proofs: { proved: number; uploaded: number; invalid: number; proving: number; failures: number };
  /** The anomaly model in use and how far scoring got; undefined when inference is off. */
  inference: { model: string | undefined; scoredThroughSeq: number } | undefined;
  /** Each supervised subsystem (transports, inference, prover, uplink, Node-RED, live stream): running, restarting or degraded, and why. */
  subsystems: SubsystemStatus[];
}

/** Where a snapshot's figures come from. */
export interface SnapshotSources {
  gatewayId: string;
  pipeline: IngestPipeline;
  admission: DeviceAdmission;
  mqttRefusals: Record<MqttRefusalReason, number> | undefined;
  serial: SerialTransport | undefined;
  ble: BleTransport | undefined;
  readings: ReadingStore;
  outbox: BatchOutbox;
  storage: StorageGuard;
  ingestRate: RateEstimator;
  drainRate: RateEstimator;
  uplink: BatchUploader | undefined;
  proving: Pick<RunningProving, "pending" | "failures"> | undefined;
  inference: Pick<RunningInference, "status">;
  subsystems: Subsystems;
}

export function takeSnapshot(sources: SnapshotSources): GatewaySnapshot {
  const { pipeline, serial, ble, readings, outbox, storage, uplink, proving } = sources;
  const stored = readings.count();
  const { bytesUsed, quotaBytes } = storage.state;
  const totals = outbox.totals();
  return {
    gatewayId: sources.gatewayId,
    ingest: structuredClone(pipeline.counters),
    quarantinedDevices: sources.admission.quarantined(),
    mqttRefusals: sources.mqttRefusals && { ...sources.mqttRefusals },
    serial: serial && { openPorts: serial.openPorts, framingErrors: { ...serial.framingErrors } },
    ble: ble && { connectedDevices: ble.connectedDevices, framingErrors: { ...ble.framingErrors } },
    readingsStored: stored,
    batchesSealed: totals.sealed,
    readingsSealed: totals.sealedReadings,
    batchesAcked: totals.acked,
    backlog: outbox.backlog(),
    storage: {
      ...storage.state,
      daysOfAutonomy: daysOfAutonomy(quotaBytes - bytesUsed, stored > 0 ? bytesUsed / stored : 0, sources.ingestRate.perSecond),
      ingestReadingsPerSecond: sources.ingestRate.perSecond,
    },
    drainReadingsPerSecond: sources.drainRate.perSecond,
    uplink: uplink && { ...uplink.status },
    proofs: { ...outbox.proofTotals(), proving: proving?.pending ?? 0, failures: proving?.failures ?? 0 },
    inference: sources.inference.status(),
    subsystems: sources.subsystems.list(),
  };
}
