import { RateEstimator } from "@intelledger/service-kit";
import type { RefusedFrame, StoredFrame } from "../acceptance/ingest-pipeline.js";
import type { RejectionReason } from "../acceptance/frame-acceptor.js";
import type { ConfiguredBounds } from "../batch/committed-bounds.js";

/** What one device did since the gateway started counting. */
export interface DeviceActivitySnapshot {
  sinceMs: number;
  framesAccepted: number;
  readingsAccepted: number;
  /** Frames the device numbered that never arrived (gaps in its counter). */
  framesMissed: number;
  /** Readings outside the device's stream bounds (stored, and committed without those bounds). */
  readingsOutsideBounds: number;
  rejected: Partial<Record<RejectionReason, number>>;
  /** Readings per second, averaged over about ten seconds. */
  readingsPerSecond: number;
}

interface Counts {
  framesAccepted: number;
  readingsAccepted: number;
  framesMissed: number;
  readingsOutsideBounds: number;
  rejected: Partial<Record<RejectionReason, number>>;
  rate: RateEstimator;
}

/**
 * Per-device counts of what ingest took and refused, for the device list: fed by the
 * pipeline's events, kept in memory (they start again with the gateway), rates sampled
 * once a second.
 */
export class DeviceActivity {
  readonly sinceMs: number;
  private readonly counts = new Map<string, Counts>();
  private readonly bounds: ConfiguredBounds;
  private readonly isRegistered: (deviceId: string) => boolean;

  constructor(options: { bounds: ConfiguredBounds; isRegistered: (deviceId: string) => boolean; nowMs?: number }) {
    this.bounds = options.bounds;
    this.isRegistered = options.isRegistered;
    this.sinceMs = options.nowMs ?? Date.now();
  }

  private of(deviceId: string): Counts {
    let counts = this.counts.get(deviceId);
    if (!counts) {
      counts = {
        framesAccepted: 0,
        readingsAccepted: 0,
        framesMissed: 0,
        readingsOutsideBounds: 0,
        rejected: {},
        rate: new RateEstimator({ halfLifeMs: 10_000 }),
      };
      // From zero now, so the first readings count towards the first rate.
      counts.rate.observe(0, Date.now());
      this.counts.set(deviceId, counts);
    }
    return counts;
  }

  readonly noteStored = (frame: StoredFrame): void => {
    const counts = this.of(frame.deviceId);
    counts.framesAccepted++;
    counts.readingsAccepted += frame.samples.length;
    counts.framesMissed += frame.missedBefore;
    for (const sample of frame.samples) {
      const bounds = this.bounds({
        deviceId: frame.deviceId,
        channel: sample.channel,
        channelIndex: sample.index,
        scale: sample.scale,
      });
      if (bounds && (sample.value < bounds.min || sample.value > bounds.max)) counts.readingsOutsideBounds++;
    }
  };

  /** Counts refusals of registered devices only: anyone can send frames naming any id. */
  readonly noteRefused = (refused: RefusedFrame): void => {
    if (refused.deviceId === undefined || !this.isRegistered(refused.deviceId)) return;
    const { rejected } = this.of(refused.deviceId);
    rejected[refused.reason] = (rejected[refused.reason] ?? 0) + 1;
  };

  /** Feeds each device's rate estimator its running total; called once a second. */
  sampleRates(nowMs: number): void {
    for (const counts of this.counts.values()) counts.rate.observe(counts.readingsAccepted, nowMs);
  }

  snapshot(deviceId: string): DeviceActivitySnapshot {
    const counts = this.counts.get(deviceId);
    return {
      sinceMs: this.sinceMs,
      framesAccepted: counts?.framesAccepted ?? 0,
      readingsAccepted: counts?.readingsAccepted ?? 0,
      framesMissed: counts?.framesMissed ?? 0,
      readingsOutsideBounds: counts?.readingsOutsideBounds ?? 0,
      rejected: { ...counts?.rejected },
      readingsPerSecond: Math.round((counts?.rate.perSecond ?? 0) * 100) / 100,
    };
  }
}
