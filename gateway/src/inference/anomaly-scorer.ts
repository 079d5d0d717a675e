import { setImmediate as yieldToIngest } from "node:timers/promises";
import type { Logger } from "pino";
import type { AnomalyFeed } from "../feeds/anomaly-feed.js";
import type { StoredReading } from "../store/reading-store.js";
import type { InferenceMetrics } from "./inference-metrics.js";
import type { ModelManager } from "./model-manager.js";
import type { ScoreRecord, ScoringStore } from "./scoring-store.js";
import { thresholdFor, type ThresholdOverrides } from "./thresholds.js";
import { physicalValue, StreamWindow, WINDOW } from "./window-features.js";

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
  /** Readings before the first undecided one replayed into channel windows after a restart. */
  historyReadings: number;
  nowMs?: () => number;
}

const streamKey = (reading: { deviceId: string; channel: number; channelIndex: number }) =>
  `${reading.deviceId}\u0000${reading.channel}\u0000${reading.channelIndex}`;

/**
 * Scores stored readings off the ingest path: follows the readings table in gateway_seq
 * order, keeps the recent values of each device channel, and for each batch of readings runs
 * the model once and stores every reading's score, flag and model version in one transaction.
 * A reading whose channel has fewer than HISTORY values is decided not anomalous, unscored
 * ("warming-up"). After a restart, windows are rebuilt from the stored readings before
 * the first undecided one.
 */
export class AnomalyScorer {
  private options: AnomalyScorerOptions;
  private readonly windows = new Map<string, StreamWindow>();
  private cursor = 0;
  private features = new Float32Array(0);
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
    const { store, models, batchSize } = this.options;
    if (!models.current) return 0;
    if (this.rebuildNeeded) this.rebuild();
    const readings = store.after(this.cursor, batchSize);
    const last = readings.at(-1);
    if (!last) return 0;
    if (this.features.length < readings.length * WINDOW) this.features = new Float32Array(batchSize * WINDOW);
    const scorable: StoredReading[] = [];
    const warming: StoredReading[] = [];
    for (const reading of readings) {
      const key = streamKey(reading);
      let window = this.windows.get(key);
      if (!window) this.windows.set(key, (window = new StreamWindow()));
      window.push(physicalValue(reading.value, reading.scale));
      if (reading.decided) continue;
      if (window.full) {
        window.writeFeatures(this.features, scorable.length * WINDOW);
        scorable.push(reading);
      } else warming.push(reading);
    }
    try {
      await models.withModel(async (model) => {
        const started = performance.now();
        const scores = scorable.length > 0 ? await model.score(this.features, scorable.length) : new Float32Array(0);
        this.options.metrics.batchSeconds.observe((performance.now() - started) / 1000);
        this.store(model.manifest.threshold, model.version, scorable, scores, warming);
      });
    } catch (error) {
      // The windows already took this batch's values: replay them from the store next time.
      this.rebuildNeeded = true;
      this.options.metrics.failures.inc();
      throw error;
    }
    this.cursor = last.gatewaySeq;
    return readings.length;
  }

  private store(
    modelThreshold: number,
    version: string,
    scorable: readonly StoredReading[],
    scores: Float32Array,
    warming: readonly StoredReading[],
  ): void {
    const { metrics, thresholds, feed } = this.options;
    const records: ScoreRecord[] = [];
    const thresholdsUsed: number[] = [];
    scorable.forEach((reading, i) => {
      const threshold = thresholdFor(thresholds, modelThreshold, reading.deviceId, reading.channel);
      const score = scores[i] ?? Number.NaN;
      thresholdsUsed.push(threshold);
      records.push({ gatewaySeq: reading.gatewaySeq, score, anomalous: score > threshold });
    });
    for (const reading of warming)
      records.push({ gatewaySeq: reading.gatewaySeq, score: undefined, anomalous: false, unscoredReason: "warming-up" });
    const applied = this.options.store.record(records, version);
    metrics.scored.inc({ model: version }, applied.size);
    const oldest = [...scorable, ...warming].reduce((min, r) => Math.min(min, r.receivedAtMs), Number.POSITIVE_INFINITY);
    if (Number.isFinite(oldest)) metrics.lagSeconds.observe(Math.max(0, ((this.options.nowMs ?? Date.now)() - oldest) / 1000));
    scorable.forEach((reading, i) => {
      const record = records[i];
      if (!record || !applied.has(reading.gatewaySeq)) return;
      const threshold = thresholdsUsed[i] ?? modelThreshold;
      if (record.anomalous) metrics.anomalies.inc({ device: reading.deviceId, channel: metrics.channelLabel(reading.channel) });
      feed.publish({
        reading: { ...reading, anomalous: record.anomalous },
        anomaly: { score: record.score ?? 0, flagged: record.anomalous, model: version, threshold },
      });
    });
  }

  /** Replays the stored history before the first undecided reading into fresh windows. */
  private rebuild(): void {
    const { store, historyReadings } = this.options;
    this.windows.clear();
    this.cursor = store.resumeAfter();
    for (const row of store.history(Math.max(0, this.cursor - historyReadings), this.cursor)) {
      const key = streamKey({ deviceId: row.device_id, channel: row.channel, channelIndex: row.channel_index });
      let window = this.windows.get(key);
      if (!window) this.windows.set(key, (window = new StreamWindow()));
      window.push(physicalValue(row.value, row.scale));
    }
    this.rebuildNeeded = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let passed = 0;
      try {
        passed = await this.scoreNext();
      } catch (error) {
        this.options.logger.error({ err: error }, "scoring a batch of readings failed");
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
