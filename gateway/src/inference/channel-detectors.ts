import { createFeatureStream, featureWidth, type FeatureStream } from "./feature-streams.js";
import type { ModelManifest } from "./model-manifest.js";
import { StreamThreshold } from "./threshold-calibration.js";

/** A reading of one device channel, as the detectors see it: the channel's key and the value in its unit. */
export interface ChannelValue {
  channel: string;
  value: number;
}

/** What the detectors decided for one reading. */
export interface Decision {
  /** Undefined while the channel warms up (too few values for features). */
  score: number | undefined;
  /** The threshold the score was compared with; undefined with the score. */
  threshold: number | undefined;
  anomalous: boolean;
}

/** Runs a model on `count` feature rows laid out back to back. */
export type ScoreRows = (features: Float32Array, count: number) => Promise<ArrayLike<number>>;

/** What the detectors need of a model's manifest. */
export type DetectorSpec = Pick<ModelManifest, "features" | "threshold" | "calibration">;

interface ChannelState {
  features: FeatureStream;
  threshold: StreamThreshold;
}

/**
 * The one path from readings to decisions, shared by the gateway's scorer and the offline
 * evaluation: each device channel keeps its features and its own threshold; a batch of
 * readings (any channels, in arrival order) is scored in one model call, then each score is
 * compared with its channel's threshold as it stood before the score and taught to it. The
 * decisions depend only on each channel's values in order, never on how readings are
 * batched or interleaved.
 */
export class ChannelDetectors {
  private readonly spec: DetectorSpec;
  private readonly width: number;
  private readonly channels = new Map<string, ChannelState>();
  private rows = new Float32Array(0);

  constructor(spec: DetectorSpec) {
    this.spec = spec;
    this.width = featureWidth(spec.features);
  }

  /**
   * Decides a batch of readings with `score`; `override` gives a reading's configured
   * threshold, which replaces its channel's learned one (the channel still learns).
   */
  async decide(
    readings: readonly ChannelValue[],
    score: ScoreRows,
    override: (index: number) => number | undefined = () => undefined,
  ): Promise<Decision[]> {
    if (this.rows.length < readings.length * this.width) this.rows = new Float32Array(readings.length * this.width);
    const scored: { index: number; state: ChannelState }[] = [];
    readings.forEach(({ channel, value }, index) => {
      let state = this.channels.get(channel);
      if (!state) {
        state = {
          features: createFeatureStream(this.spec.features),
          threshold: new StreamThreshold(this.spec.threshold, this.spec.calibration),
        };
        this.channels.set(channel, state);
      }
      state.features.push(value);
      if (!state.features.ready) return;
      state.features.write(this.rows, scored.length * this.width);
      scored.push({ index, state });
    });
    const decisions: Decision[] = readings.map(() => ({ score: undefined, threshold: undefined, anomalous: false }));
    if (scored.length === 0) return decisions;
    const scores = await score(this.rows, scored.length);
    scored.forEach(({ index, state }, row) => {
      const value = scores[row] ?? Number.NaN;
      const threshold = override(index) ?? state.threshold.current;
      decisions[index] = { score: value, threshold, anomalous: value > threshold };
      state.threshold.observe(value);
    });
    return decisions;
  }

  /** Forgets every channel. */
  clear(): void {
    this.channels.clear();
  }
}
