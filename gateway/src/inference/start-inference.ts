import type { Logger } from "pino";
import type { GatewayConfig } from "../config.js";
import type { AnomalyFeed } from "../feeds/anomaly-feed.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { every } from "@intelledger/service-kit";
import { AnomalyScorer } from "./anomaly-scorer.js";
import type { InferenceMetrics } from "./inference-metrics.js";
import { ModelManager } from "./model-manager.js";
import { ScoringStore } from "./scoring-store.js";
import type { ThresholdOverrides } from "./thresholds.js";

export interface RunningInference {
  /** The anomaly model in use and its versions; undefined when inference is off. */
  readonly models: ModelManager | undefined;
  /** How batch sealing waits for scores; undefined when inference is off. */
  readonly sealScoring: { timeoutMs: number; onTimeout: (readings: number) => void } | undefined;
  /** The model in use and how far scoring got; undefined when inference is off. */
  status(): { model: string | undefined; scoredThroughSeq: number } | undefined;
  /** Scores from now on against these thresholds. */
  setThresholds(thresholds: ThresholdOverrides): void;
  stop(): Promise<void>;
}

/** How batch sealing waits for scores; undefined when inference is off. */
export function sealScoringOf(config: GatewayConfig["inference"], metrics: InferenceMetrics): RunningInference["sealScoring"] {
  return config.enabled
    ? { timeoutMs: config.sealTimeoutMs, onTimeout: (readings) => metrics.sealedUnscored.inc(readings) }
    : undefined;
}

/**
 * Anomaly scoring beside ingest: it follows the readings table, so ingest never waits for
 * a model. A gateway without a usable model keeps storing readings, which are sealed
 * unscored after the scoring timeout.
 */
export async function startInference(options: {
  config: GatewayConfig["inference"];
  db: SqliteDatabase;
  feed: AnomalyFeed;
  /** Made once per gateway: they outlive restarts of inference. */
  metrics: InferenceMetrics;
  logger: Logger;
  /** Told when scoring fails. */
  failed: (error: Error) => void;
}): Promise<RunningInference | undefined> {
  const { config, db, feed, metrics, logger, failed } = options;
  if (!config.enabled) return undefined;
  const inferenceLogger = logger.child({ component: "inference" });
  const models = new ModelManager({
    modelsDir: config.modelsDir,
    name: config.model,
    logger: inferenceLogger,
    onSwap: (model, previous) => {
      metrics.modelInUse(model.manifest.name, model.manifest.version);
      if (previous) metrics.swaps.inc();
    },
  });
  await models.start().catch((error: unknown) => {
    logger.error({ err: error }, "no anomaly model could be loaded; readings wait for one");
  });
  const scorer = new AnomalyScorer({
    store: new ScoringStore(db),
    models,
    thresholds: config.thresholds,
    feed,
    metrics,
    logger: inferenceLogger,
    batchSize: config.batchSize,
    idleMs: config.idleMs,
    historyReadings: config.historyReadings,
    failed,
  });
  scorer.start();
  const stopWatchingModels =
    config.watchIntervalMs > 0
      ? every(
          config.watchIntervalMs,
          () => models.checkForNewVersion(),
          (error) => logger.error({ err: error }, "checking for a new model version failed"),
        )
      : () => Promise.resolve();
  return {
    models,
    sealScoring: sealScoringOf(config, metrics),
    status: () => ({ model: models.current?.version, scoredThroughSeq: scorer.scoredThrough }),
    setThresholds: (thresholds) => scorer.setThresholds(thresholds),
    async stop() {
      await stopWatchingModels();
      await scorer.stop();
      await models.stop();
    },
  };
}
