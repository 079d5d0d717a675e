import { SnapshotMetrics } from "@intelledger/service-kit";
import type { Registry } from "prom-client";
import type { GatewaySnapshot } from "../gateway-snapshot.js";

/**
 * The gateway's state for Prometheus. Values are read from a snapshot at scrape time, so
 * nothing on the ingest path touches a metric.
 */
export function createGatewayMetrics(snapshot: () => GatewaySnapshot): Registry {
  const metrics = new SnapshotMetrics(snapshot);
  const counter = metrics.counter.bind(metrics);
  const gauge = metrics.gauge.bind(metrics);

  counter("intelledger_gateway_frames_accepted_total", "Device frames verified and stored.", (s) => s.ingest.framesAccepted);
  counter(
    "intelledger_gateway_readings_accepted_total",
    "Readings stored from accepted frames.",
    (s) => s.ingest.readingsAccepted,
  );
  metrics.labelledCounter(
    "intelledger_gateway_frames_rejected_total",
    "Device frames refused, by reason.",
    "reason",
    (s) => s.ingest.rejected,
  );
  metrics.labelledCounter(
    "intelledger_gateway_mqtt_refusals_total",
    "Logins, publishes, subscriptions and packets the embedded MQTT broker refused, by reason.",
    "reason",
    (s) => s.mqttRefusals ?? {},
  );
  counter(
    "intelledger_gateway_frames_device_clock_implausible_total",
    "Frames whose device clock was unset, far behind or ahead of the gateway's: stored time-uncertain.",
    (s) => s.ingest.deviceClockImplausibleFrames,
  );
  counter(
    "intelledger_gateway_frames_refused_storage_full_total",
    "Frames not taken because the disk quota was reached.",
    (s) => s.ingest.refusedStorageFull,
  );
  counter(
    "intelledger_gateway_frames_time_uncertain_total",
    "Frames received while the gateway clock was not trusted.",
    (s) => s.ingest.timeUncertainFrames,
  );
  counter("intelledger_gateway_batches_sealed_total", "Batches sealed.", (s) => s.batchesSealed);
  counter("intelledger_gateway_batches_acked_total", "Batches the relay acknowledged.", (s) => s.batchesAcked);
  counter(
    "intelledger_gateway_batches_pruned_total",
    "Batches whose readings were pruned to respect the disk quota.",
    (s) => s.storage.batchesPruned,
  );
  counter(
    "intelledger_gateway_readings_pruned_total",
    "Readings pruned to respect the disk quota (each declared as a gap).",
    (s) => s.storage.readingsPruned,
  );
  counter("intelledger_gateway_batches_proved_total", "Batches whose claims the gateway proved.", (s) => s.proofs.proved);
  counter("intelledger_gateway_proofs_uploaded_total", "Batch proofs the relay took.", (s) => s.proofs.uploaded);
  counter("intelledger_gateway_proofs_invalid_total", "Batch proofs the relay found invalid.", (s) => s.proofs.invalid);
  counter("intelledger_gateway_proving_failures_total", "Proving runs that failed (retried).", (s) => s.proofs.failures);
  gauge("intelledger_gateway_proofs_in_progress", "Batches being proved now.", (s) => s.proofs.proving);
  gauge("intelledger_gateway_backlog_batches", "Sealed batches the relay has not acknowledged.", (s) => s.backlog.batches);
  gauge("intelledger_gateway_backlog_readings", "Readings in unacknowledged batches.", (s) => s.backlog.readings);
  gauge("intelledger_gateway_backlog_age_seconds", "Age of the oldest unacknowledged batch.", (s) =>
    s.backlog.oldestSealedAtMs === undefined ? 0 : (Date.now() - s.backlog.oldestSealedAtMs) / 1000,
  );
  gauge("intelledger_gateway_storage_bytes_used", "Bytes the database uses.", (s) => s.storage.bytesUsed);
  gauge("intelledger_gateway_storage_quota_bytes", "The database's disk quota.", (s) => s.storage.quotaBytes);
  gauge("intelledger_gateway_storage_full", "1 while new frames are refused for lack of space.", (s) => (s.storage.full ? 1 : 0));
  gauge(
    "intelledger_gateway_autonomy_days",
    "Days until the quota is reached at the current ingest rate (+Inf when idle).",
    (s) => s.storage.daysOfAutonomy,
  );
  gauge("intelledger_gateway_ingest_readings_per_second", "Recent ingest rate.", (s) => s.storage.ingestReadingsPerSecond);
  gauge(
    "intelledger_gateway_drain_readings_per_second",
    "Recent rate of readings acknowledged by the relay.",
    (s) => s.drainReadingsPerSecond,
  );
  gauge("intelledger_gateway_uplink_connected", "1 while the relay upload stream is up.", (s) =>
    s.uplink?.state === "uploading" ? 1 : 0,
  );
  const bySubsystem = (s: GatewaySnapshot, value: (subsystem: GatewaySnapshot["subsystems"][number]) => number) =>
    Object.fromEntries(s.subsystems.map((subsystem) => [subsystem.name, value(subsystem)]));
  metrics.labelledGauge(
    "intelledger_gateway_subsystem_running",
    "1 while the subsystem runs (0 while it is restarted, degraded or off).",
    "subsystem",
    (s) => bySubsystem(s, (subsystem) => (subsystem.state === "running" ? 1 : 0)),
  );
  metrics.labelledGauge(
    "intelledger_gateway_subsystem_degraded",
    "1 once the subsystem failed to restart too often in a row and the gateway runs without it.",
    "subsystem",
    (s) => bySubsystem(s, (subsystem) => (subsystem.state === "degraded" ? 1 : 0)),
  );
  metrics.labelledCounter(
    "intelledger_gateway_subsystem_restarts_total",
    "Restarts of the subsystem after it failed.",
    "subsystem",
    (s) => bySubsystem(s, (subsystem) => subsystem.restarts),
  );

  return metrics.registry;
}
