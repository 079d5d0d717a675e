import { every } from "@intelledger/service-kit";
import type { Logger } from "pino";
import type { DeviceAdmission } from "../acceptance/device-admission.js";
import type { IngestPipeline, StoredFrame } from "../acceptance/ingest-pipeline.js";
import type { AnchoredBatch } from "@intelledger/proto/relay";
import type { BatchOutbox } from "../batch/batch-outbox.js";
import type { AnomalyFeed } from "../feeds/anomaly-feed.js";
import { channelName } from "../inference/thresholds.js";
import { physicalValue } from "../inference/window-features.js";
import type { DerivedStore } from "../store/derived-store.js";
import type { Subsystems, SubsystemStatus } from "../supervision/subsystems.js";
import type { LiveEvents } from "./live-events.js";

/** How often sealed batches, proofs, acknowledgements, anchors, alerts and quarantines are looked for. */
const POLL_MS = 200;

/**
 * Feeds the live events: readings, anomalies, quarantines and releases as they happen;
 * batches, proofs, acknowledgements, alerts and quarantines that ran out by looking every
 * POLL_MS, and only while someone listens. Returns how to stop.
 */
export function startLiveSources(deps: {
  events: LiveEvents;
  pipeline: IngestPipeline;
  anomalies: AnomalyFeed;
  admission: DeviceAdmission;
  outbox: BatchOutbox;
  derived: DerivedStore;
  /** The newest of the gateway's batches anchored on chain, as the relay last said. */
  lastAnchored: () => AnchoredBatch | undefined;
  /** The supervised subsystems: their changes as they happen, and their states (looked at for what parts report of themselves). */
  subsystems: Pick<Subsystems, "list" | "onChange">;
  logger: Logger;
  /** Told when looking for events fails: the live stream is then started again. */
  failed: (error: Error) => void;
}): () => Promise<void> {
  const { events } = deps;
  const onStored = (frame: StoredFrame) => {
    if (events.subscribers === 0) return;
    const durableAtMs = Date.now();
    for (const sample of frame.samples) {
      events.publish({
        type: "reading",
        deviceId: frame.deviceId,
        channel: channelName(sample.channel),
        index: sample.index,
        timestampMs: sample.timestampMs,
        value: physicalValue(sample.value, sample.scale),
        durableAtMs,
        transport: frame.transport,
      });
    }
  };
  deps.pipeline.on("stored", onStored);
  const stopAnomalies = deps.anomalies.subscribe(({ reading, anomaly }) => {
    if (!anomaly.flagged) return;
    events.publish({
      type: "anomaly",
      deviceId: reading.deviceId,
      channel: channelName(reading.channel),
      gatewaySeq: reading.gatewaySeq,
      score: anomaly.score,
      threshold: anomaly.threshold,
      model: anomaly.model,
    });
  });

  let seen = {
    batches: deps.outbox.totals(),
    proofs: deps.outbox.proofTotals(),
    alertSeq: deps.derived.alerts(1)[0]?.gatewaySeq ?? 0,
    anchoredSequence: deps.lastAnchored()?.sequence ?? 0,
    subsystems: new Map(deps.subsystems.list().map((status) => [status.name, JSON.stringify(status)])),
  };
  const publishSubsystem = (status: SubsystemStatus) => {
    const text = JSON.stringify(status);
    if (seen.subsystems.get(status.name) === text) return;
    seen.subsystems.set(status.name, text);
    events.publish({ type: "subsystem", ...status });
  };
  const stopSubsystems = deps.subsystems.onChange(publishSubsystem);
  // Quarantines and releases are told as they happen; one that runs out is noticed by looking.
  let quarantined = new Set(deps.admission.quarantined());
  const stopQuarantines = deps.admission.onChange((deviceId, change) => {
    if (change === "quarantined") quarantined.add(deviceId);
    else quarantined.delete(deviceId);
    events.publish({ type: "device", deviceId, state: change });
  });
  const stopPolling = every(
    POLL_MS,
    () => {
      if (events.subscribers === 0) return;
      const batches = deps.outbox.totals();
      if (batches.sealed > seen.batches.sealed) {
        for (let sequence = seen.batches.sealed + 1; sequence <= batches.sealed; sequence++) {
          const batch = deps.outbox.get(sequence);
          if (batch) events.publish({ type: "batch", ...pickBatch(batch) });
        }
      }
      if (batches.acked !== seen.batches.acked) {
        events.publish({ type: "ack", batchesAcked: batches.acked });
      }
      const anchored = deps.lastAnchored();
      if (anchored && anchored.sequence !== seen.anchoredSequence) events.publish({ type: "anchor", ...anchored });
      const proofs = deps.outbox.proofTotals();
      if (JSON.stringify(proofs) !== JSON.stringify(seen.proofs)) events.publish({ type: "proof", ...proofs });
      const alerts = deps.derived.alerts(100).filter((alert) => alert.gatewaySeq > seen.alertSeq);
      for (const alert of alerts.reverse()) {
        events.publish({
          type: "alert",
          gatewaySeq: alert.gatewaySeq,
          source: alert.source,
          severity: alert.severity,
          code: alert.code,
          message: alert.message,
          ...(alert.subjectDeviceId === undefined ? {} : { subjectDeviceId: alert.subjectDeviceId }),
        });
      }
      const now = new Set(deps.admission.quarantined());
      for (const deviceId of now)
        if (!quarantined.has(deviceId)) events.publish({ type: "device", deviceId, state: "quarantined" });
      for (const deviceId of quarantined) if (!now.has(deviceId)) events.publish({ type: "device", deviceId, state: "released" });
      quarantined = now;
      for (const status of deps.subsystems.list()) publishSubsystem(status);
      seen = {
        batches,
        proofs,
        alertSeq: alerts.at(-1)?.gatewaySeq ?? seen.alertSeq,
        anchoredSequence: anchored?.sequence ?? seen.anchoredSequence,
        subsystems: seen.subsystems,
      };
    },
    (error) => {
      deps.logger.warn({ err: error }, "looking for live events failed");
      deps.failed(error as Error);
    },
  );
  return async () => {
    deps.pipeline.off("stored", onStored);
    stopAnomalies();
    stopQuarantines();
    stopSubsystems();
    await stopPolling();
  };
}

function pickBatch(batch: {
  sequence: number;
  dataClass: number;
  readingCount: number;
  lastGatewaySeq: number;
  sealedAtMs: number;
}) {
  const { sequence, dataClass, readingCount, lastGatewaySeq, sealedAtMs } = batch;
  return { sequence, dataClass, readingCount, lastGatewaySeq, sealedAtMs };
}
