import { setImmediate as yieldToIngest } from "node:timers/promises";
import type { Logger } from "pino";
import type { AnomalyFeed } from "../feeds/anomaly-feed.js";
import type { StoredReading } from "../store/reading-store.js";
import { ChannelDetectors, type ChannelValue, type Decision, type ScoreRows } from "./channel-detectors.js";
import type { InferenceMetrics } from "./inference-metrics.js";
import type { ModelManager } from "./model-manager.js";
import type { ModelSession } from "./model-session.js";
import type { ScoreRecord, ScoringStore } from "./scoring-store.js";
import { thresholdFor, type ThresholdOverrides } from "./thresholds.js";
import { physicalValue } from "./window-features.js";

export interface AnomalyScorerOptions {
  store: ScoringStore;
  models: ModelManager;
  thresholds: ThresholdOverrides;
  feed: AnomalyFeed;
  metrics: InferenceMetrics;
  logger: Logger;
  /** Readings scored per model call. */
  batchSize: number;
  /** How long to wait for new readings when none are left. */
  idleMs: number;
  /** Readings before the first undecided one replayed into the channels' detectors after a restart or a model swap. */
  historyReadings: number;
  nowMs?: () => number;
  /** Told each time scoring a batch fails (its owner may restart inference); the scorer tries again either way. */
  failed?: (error: Error) => void;
}

/** A device channel's key among the detectors. */
const channelKey = (reading: { deviceId: string; channel: number; channelIndex: number }): string =>
  `${reading.deviceId}\u0000${reading.channel}\u0000${reading.channelIndex}`;

const channelValue = (reading: StoredReading): ChannelValue => ({
  channel: channelKey(reading),
  value: physicalValue(reading.value, reading.scale),
});

/**
 * Scores stored readings off the ingest path: follows the readings table in gateway_seq
 * order and, for each batch, lets the channels' detectors (channel-detectors.ts, the same
 * code the offline evaluation runs) score it in one model call and decide each reading
 * against its channel's threshold; stores every reading's score, flag and model version in
 * one transaction. A reading whose channel has too few values for features is decided not
 * anomalous, unscored ("warming-up"). Readings already decided (sealed after a scoring
 * timeout) still pass through the detectors, so every channel sees all its values.
 * After a restart or a model swap, the detectors are rebuilt for the model in use by
 * replaying the stored readings before the first undecided one.
 */
export class AnomalyScorer {
  private options: AnomalyScorerOptions;
  private detectors: ChannelDetectors | undefined;
  /** The model the detectors were built for; another one rebuilds them. */
  private detectorsModel: ModelSession | undefined;
  private cursor = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private rebuildNeeded = true;

  constructor(options: AnomalyScorerOptions) {
    this.options = options;
  }

  /** Thresholds for the readings scored from now on. */
  setThresholds(thresholds: ThresholdOverrides): void {
    this.options = { ...this.options, thresholds };
  }

  /** The last gateway_seq scoring has passed. */
  get scoredThrough(): number {
    return this.cursor;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Scores the next batch; returns how many readings it passed (0 when none were waiting). */
  async scoreNext(): Promise<number> {
    const { store, models, batchSize, thresholds, metrics } = this.options;
    if (!models.current) return 0;
    return models.withModel(async (model) => {
      const timed: ScoreRows = async (features, count) => {
        const started = performance.now();
        const scores = await model.score(features, count);
        metrics.batchSeconds.observe((performance.now() - started) / 1000);
        return scores;
      };
      let readings: StoredReading[];
      let decisions: Decision[];
      try {
        if (this.rebuildNeeded || model !== this.detectorsModel || !this.detectors) await this.rebuild(model);
        readings = store.after(this.cursor, batchSize);
        if (readings.length === 0 || !this.detectors) return 0;
        decisions = await this.detectors.decide(readings.map(channelValue), timed, (i) => {
          const reading = readings[i];
          return reading && thresholdFor(thresholds, reading.deviceId, reading.channel);
        });
      } catch (error) {
        // The detectors may have taken this batch's values: replay them from the store next time.
        this.rebuildNeeded = true;
        metrics.failures.inc();
        throw error;
      }
      this.store(model.version, readings, decisions);
      this.cursor = readings.at(-1)?.gatewaySeq ?? this.cursor;
      return readings.length;
    });
  }

  private store(version: string, readings: readonly StoredReading[], decisions: readonly Decision[]): void {
    const { metrics, feed } = this.options;
    const records: ScoreRecord[] = [];
    const undecided: { reading: StoredReading; decision: Decision }[] = [];
    readings.forEach((reading, i) => {
      const decision = decisions[i];
      if (reading.decided || !decision) return;
      undecided.push({ reading, decision });
      records.push(
        decision.score === undefined
          ? { gatewaySeq: reading.gatewaySeq, score: undefined, anomalous: false, unscoredReason: "warming-up" }
          : { gatewaySeq: reading.gatewaySeq, score: decision.score, anomalous: decision.anomalous },
      );
    });
    const applied = this.options.store.record(records, version);
    metrics.scored.inc({ model: version }, applied.size);
    const oldest = undecided.reduce((min, { reading }) => Math.min(min, reading.receivedAtMs), Number.POSITIVE_INFINITY);
    if (Number.isFinite(oldest)) metrics.lagSeconds.observe(Math.max(0, ((this.options.nowMs ?? Date.now)() - oldest) / 1000));
    for (const { reading, decision } of undecided) {
      if (decision.score === undefined || decision.threshold === undefined || !applied.has(reading.gatewaySeq)) continue;
      if (decision.anomalous) metrics.anomalies.inc({ device: reading.deviceId, channel: metrics.channelLabel(reading.channel) });
      feed.publish({
        reading: { ...reading, anomalous: decision.anomalous },
        anomaly: { score: decision.score, flagged: decision.anomalous, model: version, threshold: decision.threshold },
      });
    }
  }

  /** Fresh detectors for `model`, fed the stored history before the first undecided reading. */
  private async rebuild(model: ModelSession): Promise<void> {
    const { store, historyReadings, batchSize } = this.options;
    const detectors = new ChannelDetectors(model.manifest);
    this.detectors = undefined;
    this.cursor = store.resumeAfter();
    const history = store.history(Math.max(0, this.cursor - historyReadings), this.cursor);
    const score: ScoreRows = (features, count) => model.score(features, count);
    for (let start = 0; start < history.length; start += batchSize) {
      const chunk = history.slice(start, start + batchSize).map((row) => ({
        channel: channelKey({ deviceId: row.device_id, channel: row.channel, channelIndex: row.channel_index }),
        value: physicalValue(row.value, row.scale),
      }));
      await detectors.decide(chunk, score);
      // A long history must not hold ingest's event loop.
      await yieldToIngest();
    }
    this.detectors = detectors;
    this.detectorsModel = model;
    this.rebuildNeeded = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let passed = 0;
      try {
        passed = await this.scoreNext();
      } catch (error) {
        this.options.logger.error({ err: error }, "scoring a batch of readings failed");
        this.options.failed?.(error as Error);
      }
      if (!this.running) break;
      if (passed >= this.options.batchSize) {
        await yieldToIngest();
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.idleMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
