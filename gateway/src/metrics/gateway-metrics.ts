import { ageSeconds, counter, gauge, labelledCounter, labelledGauge, seriesPer, SnapshotMetrics } from "@intelledger/service-kit";
import type { MetricTable } from "@intelledger/service-kit";
import type { Registry } from "prom-client";
import type { GatewaySnapshot } from "../gateway-snapshot.js";

/** One series per subsystem, labelled with its name. */
const bySubsystem = seriesPer(
  (s: GatewaySnapshot) => s.subsystems,
  (subsystem) => subsystem.name,
);

/** The gateway's metrics, each named intelledger_gateway_ and its key. */
const GATEWAY_METRICS: MetricTable<GatewaySnapshot> = {
  frames_accepted_total: counter("Device frames verified and stored.", (s) => s.ingest.framesAccepted),
  readings_accepted_total: counter("Readings stored from accepted frames.", (s) => s.ingest.readingsAccepted),
  frames_rejected_total: labelledCounter("Device frames refused, by reason.", "reason", (s) => s.ingest.rejected),
  mqtt_refusals_total: labelledCounter(
    "Logins, publishes, subscriptions and packets the embedded MQTT broker refused, by reason.",
    "reason",
    (s) => s.mqttRefusals ?? {},
  ),
  frames_device_clock_implausible_total: counter(
    "Frames whose device clock was unset, far behind or ahead of the gateway's: stored time-uncertain.",
    (s) => s.ingest.deviceClockImplausibleFrames,
  ),
  frames_refused_storage_full_total: counter(
    "Frames not taken because the disk quota was reached.",
    (s) => s.ingest.refusedStorageFull,
  ),
  frames_time_uncertain_total: counter(
    "Frames received while the gateway clock was not trusted.",
    (s) => s.ingest.timeUncertainFrames,
  ),
  batches_sealed_total: counter("Batches sealed.", (s) => s.batchesSealed),
  batches_acked_total: counter("Batches the relay acknowledged.", (s) => s.batchesAcked),
  batches_pruned_total: counter("Batches whose readings were pruned to respect the disk quota.", (s) => s.storage.batchesPruned),
  readings_pruned_total: counter(
    "Readings pruned to respect the disk quota (each declared as a gap).",
    (s) => s.storage.readingsPruned,
  ),
  batches_proved_total: counter("Batches whose claims the gateway proved.", (s) => s.proofs.proved),
  proofs_uploaded_total: counter("Batch proofs the relay took.", (s) => s.proofs.uploaded),
  proofs_invalid_total: counter("Batch proofs the relay found invalid.", (s) => s.proofs.invalid),
  proving_failures_total: counter("Proving runs that failed (retried).", (s) => s.proofs.failures),
  proofs_in_progress: gauge("Batches being proved now.", (s) => s.proofs.proving),
  backlog_batches: gauge("Sealed batches the relay has not acknowledged.", (s) => s.backlog.batches),
  backlog_readings: gauge("Readings in unacknowledged batches.", (s) => s.backlog.readings),
  backlog_age_seconds: gauge("Age of the oldest unacknowledged batch.", (s) =>
    s.backlog.oldestSealedAtMs === undefined ? 0 : ageSeconds(s.backlog.oldestSealedAtMs),
  ),
  storage_bytes_used: gauge("Bytes the database uses.", (s) => s.storage.bytesUsed),
  storage_quota_bytes: gauge("The database's disk quota.", (s) => s.storage.quotaBytes),
  storage_full: gauge("1 while new frames are refused for lack of space.", (s) => (s.storage.full ? 1 : 0)),
  autonomy_days: gauge(
    "Days until the quota is reached at the current ingest rate (+Inf when idle).",
    (s) => s.storage.daysOfAutonomy,
  ),
  ingest_readings_per_second: gauge("Recent ingest rate.", (s) => s.storage.ingestReadingsPerSecond),
  drain_readings_per_second: gauge("Recent rate of readings acknowledged by the relay.", (s) => s.drainReadingsPerSecond),
  uplink_connected: gauge("1 while the relay upload stream is up.", (s) => (s.uplink?.state === "uploading" ? 1 : 0)),
  subsystem_running: labelledGauge(
    "1 while the subsystem runs (0 while it is restarted, degraded or off).",
    "subsystem",
    bySubsystem((subsystem) => (subsystem.state === "running" ? 1 : 0)),
  ),
  subsystem_degraded: labelledGauge(
    "1 once the subsystem failed to restart too often in a row and the gateway runs without it.",
    "subsystem",
    bySubsystem((subsystem) => (subsystem.state === "degraded" ? 1 : 0)),
  ),
  subsystem_restarts_total: labelledCounter(
    "Restarts of the subsystem after it failed.",
    "subsystem",
    bySubsystem((subsystem) => subsystem.restarts),
  ),
};

/**
 * The gateway's state for Prometheus. Values are read from a snapshot at scrape time, so
 * nothing on the ingest path touches a metric.
 */
export function createGatewayMetrics(snapshot: () => GatewaySnapshot): Registry {
  return new SnapshotMetrics(snapshot).table("intelledger_gateway_", GATEWAY_METRICS).registry;
}
