import { ageSeconds, counter, gauge, labelledCounter, labelledGauge, seriesPer, SnapshotMetrics } from "@intelledger/service-kit";
import type { MetricTable } from "@intelledger/service-kit";
import type { Registry } from "prom-client";
import type { RelaySnapshot } from "../relay-snapshot.js";

/** One series per gateway, labelled with its id. */
const byGateway = seriesPer(
  (s: RelaySnapshot) => s.fleet,
  (gateway) => gateway.gatewayId,
);

/** The relay's metrics, each named intelledger_relay_ and its key. */
const RELAY_METRICS: MetricTable<RelaySnapshot> = {
  batches_stored_total: counter("Batches verified and stored durably.", (s) => s.uploads.batchesStored),
  readings_stored_total: counter("Readings in stored batches.", (s) => s.uploads.readingsStored),
  acks_total: counter(
    "Acks sent to gateways, resends of stored batches included.",
    (s) => s.uploads.batchesStored + s.uploads.duplicatesAcked,
  ),
  duplicate_batches_total: counter(
    "Batches sent again after a lost ack, acknowledged without storing.",
    (s) => s.uploads.duplicatesAcked,
  ),
  refusals_total: labelledCounter(
    "Calls refused (registrations, heartbeats, upload streams, certificates), by reason.",
    "reason",
    (s) => s.refusals,
  ),
  proofs_verified_total: counter("Batch proofs that verified.", (s) => s.uploads.proofsVerified),
  proofs_invalid_total: counter("Batch proofs that did not verify for their batch.", (s) => s.uploads.proofsInvalid),
  proofs_already_recorded_total: counter(
    "Proofs of batches that had a proof already: the first is kept, these were not stored.",
    (s) => s.uploads.proofsAlreadyRecorded,
  ),
  gaps_total: counter("Pruned batches gateways declared.", (s) => s.stored.gaps),
  readings_in_gaps_total: counter("Readings gateways declared they removed.", (s) => s.stored.readingsInGaps),
  anchors_confirmed_total: counter("Roots anchored on chain and confirmed.", (s) => s.anchored.confirmed),
  readings_anchored_total: counter("Readings covered by confirmed anchors.", (s) => s.anchored.readingsAnchored),
  gateways: gauge("Gateways the relay knows.", (s) => s.stored.gateways),
  upload_streams: gauge("Upload streams open now.", (s) => s.openUploadStreams),
  unanchored_batches: gauge("Stored batches waiting for the next anchor.", (s) => s.anchored.unanchoredBatches),
  gateway_backlog_readings: gauge(
    "Readings gateways last reported waiting to upload, all together.",
    (s) => s.gatewayBacklogReadings,
  ),
  drain_readings_per_second: gauge("Recent rate of readings stored.", (s) => s.drainReadingsPerSecond),
  anchoring_leader: gauge("1 while this replica anchors, 0 while another replica does.", (s) =>
    s.anchoringTerm === undefined ? 0 : 1,
  ),
  anchoring_term: gauge(
    "The leadership term this replica anchors under (0 while it follows): it grows with every takeover.",
    (s) => s.anchoringTerm ?? 0,
  ),
  last_anchor_confirmed_timestamp_seconds: gauge(
    "When the last anchor was confirmed on chain (Unix seconds; 0 before the first).",
    (s) => s.anchored.lastConfirmedAtMs / 1_000,
  ),
  gateway_last_seen_timestamp_seconds: labelledGauge(
    "When each gateway last called (Unix seconds).",
    "gateway",
    byGateway((gateway) => gateway.lastSeenAtMs / 1_000),
  ),
  gateway_backlog_batches: labelledGauge(
    "Batches each gateway last reported waiting to upload.",
    "gateway",
    byGateway((gateway) => gateway.backlogBatches),
  ),
  gateway_unanchored_batches: labelledGauge(
    "Each gateway's stored batches not in an anchor yet.",
    "gateway",
    byGateway((gateway) => gateway.unanchoredBatches),
  ),
  gateway_lag_seconds: labelledGauge(
    "How long each gateway's oldest stored batch has waited for an anchor (0 when all are anchored).",
    "gateway",
    byGateway((gateway, s) => {
      const since = s.unanchoredSinceMs[gateway.gatewayId];
      return since === undefined ? 0 : ageSeconds(since);
    }),
  ),
  oldest_unanchored_batch_age_seconds: gauge(
    "How long the oldest stored batch has waited for an anchor (0 when none waits).",
    (s) => {
      const oldest = Math.min(...Object.values(s.unanchoredSinceMs));
      return Number.isFinite(oldest) ? ageSeconds(oldest) : 0;
    },
  ),
  anchor_age_seconds: gauge("Seconds since the last anchor was confirmed on chain (NaN before the first).", (s) =>
    s.anchored.lastConfirmedAtMs === 0 ? Number.NaN : ageSeconds(s.anchored.lastConfirmedAtMs),
  ),
  gateways_by_state: labelledGauge("Gateways online, lagging and offline.", "state", (s) => ({
    online: s.fleet.filter((gateway) => gateway.state === "online").length,
    lagging: s.fleet.filter((gateway) => gateway.state === "lagging").length,
    offline: s.fleet.filter((gateway) => gateway.state === "offline").length,
  })),
};

/** The relay's state for Prometheus, read from a snapshot at scrape time. */
export function createRelayMetrics(snapshot: () => RelaySnapshot): Registry {
  return new SnapshotMetrics(snapshot).table("intelledger_relay_", RELAY_METRICS).registry;
}
