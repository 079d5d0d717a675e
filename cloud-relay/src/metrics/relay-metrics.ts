import { SnapshotMetrics } from "@intelledger/service-kit";
import type { Registry } from "prom-client";
import type { RelaySnapshot } from "../relay-snapshot.js";

/** The relay's state for Prometheus, read from a snapshot at scrape time. */
export function createRelayMetrics(snapshot: () => RelaySnapshot): Registry {
  const metrics = new SnapshotMetrics(snapshot);
  const counter = metrics.counter.bind(metrics);
  const gauge = metrics.gauge.bind(metrics);

  counter("intelledger_relay_batches_stored_total", "Batches verified and stored durably.", (s) => s.uploads.batchesStored);
  counter("intelledger_relay_readings_stored_total", "Readings in stored batches.", (s) => s.uploads.readingsStored);
  counter(
    "intelledger_relay_acks_total",
    "Acks sent to gateways, resends of stored batches included.",
    (s) => s.uploads.batchesStored + s.uploads.duplicatesAcked,
  );
  counter(
    "intelledger_relay_duplicate_batches_total",
    "Batches sent again after a lost ack, acknowledged without storing.",
    (s) => s.uploads.duplicatesAcked,
  );
  metrics.labelledCounter(
    "intelledger_relay_refusals_total",
    "Calls refused (registrations, heartbeats, upload streams, certificates), by reason.",
    "reason",
    (s) => s.refusals,
  );
  counter("intelledger_relay_proofs_verified_total", "Batch proofs that verified.", (s) => s.uploads.proofsVerified);
  counter(
    "intelledger_relay_proofs_invalid_total",
    "Batch proofs that did not verify for their batch.",
    (s) => s.uploads.proofsInvalid,
  );
  counter(
    "intelledger_relay_proofs_already_recorded_total",
    "Proofs of batches that had a proof already: the first is kept, these were not stored.",
    (s) => s.uploads.proofsAlreadyRecorded,
  );
  counter("intelledger_relay_gaps_total", "Pruned batches gateways declared.", (s) => s.stored.gaps);
  counter("intelledger_relay_readings_in_gaps_total", "Readings gateways declared they removed.", (s) => s.stored.readingsInGaps);
  counter("intelledger_relay_anchors_confirmed_total", "Roots anchored on chain and confirmed.", (s) => s.anchored.confirmed);
  counter(
    "intelledger_relay_readings_anchored_total",
    "Readings covered by confirmed anchors.",
    (s) => s.anchored.readingsAnchored,
  );
  gauge("intelledger_relay_gateways", "Gateways the relay knows.", (s) => s.stored.gateways);
  gauge("intelledger_relay_upload_streams", "Upload streams open now.", (s) => s.openUploadStreams);
  gauge(
    "intelledger_relay_unanchored_batches",
    "Stored batches waiting for the next anchor.",
    (s) => s.anchored.unanchoredBatches,
  );
  gauge(
    "intelledger_relay_gateway_backlog_readings",
    "Readings gateways last reported waiting to upload, all together.",
    (s) => s.gatewayBacklogReadings,
  );
  gauge("intelledger_relay_drain_readings_per_second", "Recent rate of readings stored.", (s) => s.drainReadingsPerSecond);
  gauge("intelledger_relay_anchoring_leader", "1 while this replica anchors, 0 while another replica does.", (s) =>
    s.anchoringTerm === undefined ? 0 : 1,
  );
  gauge(
    "intelledger_relay_anchoring_term",
    "The leadership term this replica anchors under (0 while it follows): it grows with every takeover.",
    (s) => s.anchoringTerm ?? 0,
  );
  gauge(
    "intelledger_relay_last_anchor_confirmed_timestamp_seconds",
    "When the last anchor was confirmed on chain (Unix seconds; 0 before the first).",
    (s) => s.anchored.lastConfirmedAtMs / 1_000,
  );
  const byGateway = (value: (gateway: RelaySnapshot["fleet"][number]) => number) => (s: RelaySnapshot) =>
    Object.fromEntries(s.fleet.map((gateway) => [gateway.gatewayId, value(gateway)]));
  metrics.labelledGauge(
    "intelledger_relay_gateway_last_seen_timestamp_seconds",
    "When each gateway last called (Unix seconds).",
    "gateway",
    byGateway((gateway) => gateway.lastSeenAtMs / 1_000),
  );
  metrics.labelledGauge(
    "intelledger_relay_gateway_backlog_batches",
    "Batches each gateway last reported waiting to upload.",
    "gateway",
    byGateway((gateway) => gateway.backlogBatches),
  );
  metrics.labelledGauge(
    "intelledger_relay_gateway_unanchored_batches",
    "Each gateway's stored batches not in an anchor yet.",
    "gateway",
    byGateway((gateway) => gateway.unanchoredBatches),
  );
  const ageSeconds = (sinceMs: number) => Math.max(0, Date.now() - sinceMs) / 1_000;
  metrics.labelledGauge(
    "intelledger_relay_gateway_lag_seconds",
    "How long each gateway's oldest stored batch has waited for an anchor (0 when all are anchored).",
    "gateway",
    (s) =>
      Object.fromEntries(
        s.fleet.map((gateway) => {
          const since = s.unanchoredSinceMs[gateway.gatewayId];
          return [gateway.gatewayId, since === undefined ? 0 : ageSeconds(since)];
        }),
      ),
  );
  gauge(
    "intelledger_relay_oldest_unanchored_batch_age_seconds",
    "How long the oldest stored batch has waited for an anchor (0 when none waits).",
    (s) => {
      const oldest = Math.min(...Object.values(s.unanchoredSinceMs));
      return Number.isFinite(oldest) ? ageSeconds(oldest) : 0;
    },
  );
  gauge(
    "intelledger_relay_anchor_age_seconds",
    "Seconds since the last anchor was confirmed on chain (NaN before the first).",
    (s) => (s.anchored.lastConfirmedAtMs === 0 ? Number.NaN : ageSeconds(s.anchored.lastConfirmedAtMs)),
  );
  metrics.labelledGauge("intelledger_relay_gateways_by_state", "Gateways online, lagging and offline.", "state", (s) => ({
    online: s.fleet.filter((gateway) => gateway.state === "online").length,
    lagging: s.fleet.filter((gateway) => gateway.state === "lagging").length,
    offline: s.fleet.filter((gateway) => gateway.state === "offline").length,
  }));
  return metrics.registry;
}
