import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import type { ModelManifest } from "../src/inference/model-manifest.js";
import { CONTEXT, FEATURE_CLIP, HISTORY, WINDOW } from "../src/inference/window-features.js";
import { INPUT_NAME, OUTPUT_NAME, windowModelOnnx } from "./model-graphs.js";
import { onnxScorer, type ScoreWindows } from "./onnx-scorer.js";
import { NAB_DIR, probationEnd, type NabSeries } from "./nab-data.js";
import { scoreAlarms, type SeriesScore } from "./nab-evaluation.js";
import { modelScores, seriesFeatures } from "./series-scores.js";
import { trainWindowModel, type WindowModelTraining } from "./window-model-training.js";

/**
 * The first anomaly model, a dense forecaster over 32 z-normalised values, kept as a
 * baseline: trained on the 14 series of the sample it was made with, and judged with its
 * own threshold rule (1.6 × the highest score of a series' probation).
 */
export const MODEL_NAME = "window-forecaster";
export const TRAINING: WindowModelTraining = {
  objective: "forecast",
  hidden: [16, 8],
  epochs: 20,
  batchSize: 64,
  learningRate: 0.003,
  seed: 20_140_201,
};
/** The series it was trained on (the sample of the time); the other 38 were added later. */
export const TRAINING_SERIES = [
  "artificialNoAnomaly/art_daily_small_noise.csv",
  "artificialNoAnomaly/art_noisy.csv",
  "artificialWithAnomaly/art_daily_flatmiddle.csv",
  "artificialWithAnomaly/art_daily_jumpsdown.csv",
  "artificialWithAnomaly/art_daily_jumpsup.csv",
  "artificialWithAnomaly/art_daily_nojump.csv",
  "artificialWithAnomaly/art_increase_spike_density.csv",
  "artificialWithAnomaly/art_load_balancer_spikes.csv",
  "realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv",
  "realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv",
  "realKnownCause/machine_temperature_system_failure.csv",
  "realTraffic/occupancy_6005.csv",
  "realTraffic/speed_6005.csv",
  "realTraffic/speed_t4013.csv",
];
/** Its threshold rule: this multiple of the highest score in a series' probation. */
export const PROBATION_MARGIN = 1.6;
/** The series whose probation threshold became the model's default threshold. */
export const DEFAULT_THRESHOLD_SERIES = "realKnownCause/machine_temperature_system_failure.csv";

/** PROBATION_MARGIN × the highest score of the series' probation; no label is looked at. */
export function probationThreshold(scores: Float64Array, series: Pick<NabSeries, "values">): number {
  let highest = 0;
  for (let i = HISTORY - 1; i < probationEnd(series); i++) if ((scores[i] ?? 0) > highest) highest = scores[i] ?? 0;
  return PROBATION_MARGIN * highest;
}

export interface ForecasterSeriesResult extends SeriesScore {
  series: string;
  threshold: number;
}

/** The forecaster's alarms on every series by its own rule, judged by both rules. */
export async function evaluateWindowForecaster(
  all: readonly NabSeries[],
  score: ScoreWindows,
): Promise<ForecasterSeriesResult[]> {
  const results: ForecasterSeriesResult[] = [];
  for (const series of all) {
    const scores = await modelScores(series.values, score);
    const threshold = probationThreshold(scores, series);
    results.push({
      series: series.name,
      threshold,
      ...scoreAlarms(
        Array.from(scores, (s) => s > threshold),
        series,
      ),
    });
  }
  return results;
}

/**
 * Trains the forecaster on normal behaviour only: the probation period of every training
 * series with labelled windows (where NAB labels nothing) and the whole of those without;
 * no labelled window is ever trained on. Then evaluates it on every series and sets its
 * default threshold. Deterministic.
 */
export async function buildWindowForecaster(
  all: readonly NabSeries[],
  version: number,
): Promise<{ onnx: Uint8Array; manifest: ModelManifest; metrics: ForecasterSeriesResult[]; losses: number[] }> {
  const parts = all
    .filter((series) => TRAINING_SERIES.includes(series.name))
    .map((series) =>
      series.windows.length === 0
        ? seriesFeatures(series.values)
        : seriesFeatures(series.values, HISTORY - 1, probationEnd(series)),
    );
  const windows = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, part) => (windows.set(part, offset), offset + part.length), 0);
  const count = windows.length / WINDOW;
  const { model, losses } = trainWindowModel(windows, WINDOW, TRAINING);
  const onnx = windowModelOnnx(
    model,
    "Forecasts the last of 32 z-normalised values from the 31 before; the score is the absolute error in standard deviations.",
  );

  const scorer = await onnxScorer(onnx, WINDOW);
  const metrics = await evaluateWindowForecaster(all, scorer.score);
  await scorer.release();
  const threshold = Number((metrics.find((r) => r.series === DEFAULT_THRESHOLD_SERIES)?.threshold ?? 0).toPrecision(6));

  const manifest: ModelManifest = {
    name: MODEL_NAME,
    version,
    sha256: createHash("sha256").update(onnx).digest("hex"),
    description:
      "Anomaly score of a reading: how far (in standard deviations of the 128 values before its window) its value lies from what a dense network predicts from the 31 values before it.",
    input: { name: INPUT_NAME, shape: ["batch", WINDOW] },
    output: { name: OUTPUT_NAME, shape: ["batch"] },
    features: { kind: "window", window: WINDOW, context: CONTEXT, clip: FEATURE_CLIP },
    threshold,
    training: {
      script: "gateway/training/train-window-forecaster-cli.ts",
      data: `gateway/${relative(join(import.meta.dirname, ".."), NAB_DIR)} (Numenta Anomaly Benchmark, see NOTICE.md): of the 14 series in TRAINING_SERIES, the probation period (first 15%) of those with labelled windows and all of artificialNoAnomaly`,
      windows: count,
      ...TRAINING,
      finalLoss: Number((losses.at(-1) ?? 0).toPrecision(6)),
      defaultThreshold: `the probation threshold of ${DEFAULT_THRESHOLD_SERIES}`,
    },
  };
  return { onnx, manifest, metrics, losses };
}
