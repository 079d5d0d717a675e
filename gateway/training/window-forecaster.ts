import { createHash } from "node:crypto";
import { relative, join } from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import type { ModelManifest } from "../src/inference/model-manifest.js";
import { CONTEXT, FEATURE_CLIP, HISTORY, WINDOW } from "../src/inference/window-features.js";
import { evaluate, type EvaluationResult } from "./anomaly-evaluation.js";
import { INPUT_NAME, OUTPUT_NAME, windowModelOnnx } from "./model-graphs.js";
import { NAB_DIR, probationEnd, type NabSeries } from "./nab-data.js";
import { seriesFeatures } from "./series-scores.js";
import { trainWindowModel, type WindowModelTraining } from "./window-model-training.js";

export const MODEL_NAME = "window-forecaster";
export const TRAINING: WindowModelTraining = {
  objective: "forecast",
  hidden: [16, 8],
  epochs: 20,
  batchSize: 64,
  learningRate: 0.003,
  seed: 20_140_201,
};
/**
 * The series whose probation threshold (see nab-evaluation.ts) becomes the model's default
 * threshold: the real industrial machine, the closest to the gateway's job.
 */
export const DEFAULT_THRESHOLD_SERIES = "realKnownCause/machine_temperature_system_failure.csv";

/** Scores windows with an ONNX model through ONNX Runtime, as the gateway does. */
export async function onnxScorer(
  onnx: Uint8Array,
): Promise<{ score: (features: Float32Array, count: number) => Promise<Float32Array>; release: () => Promise<void> }> {
  const session = await InferenceSession.create(onnx);
  return {
    score: async (features, count) => {
      const output = await session.run({ [INPUT_NAME]: new Tensor("float32", features, [count, WINDOW]) });
      return output[OUTPUT_NAME]?.data as Float32Array;
    },
    release: () => session.release(),
  };
}

/**
 * Trains the shipped model on normal behaviour only: the probation period of every series
 * (where NAB labels nothing) and the series without anomalies; no labelled window is ever
 * trained on. Then evaluates it and sets its default threshold. Deterministic.
 */
export async function buildShippedModel(
  all: readonly NabSeries[],
  version: number,
): Promise<{ onnx: Uint8Array; manifest: ModelManifest; metrics: EvaluationResult; losses: number[] }> {
  const parts = all.map((series) =>
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

  const scorer = await onnxScorer(onnx);
  const metrics = await evaluate(all, scorer.score);
  await scorer.release();
  const threshold = Number(
    (metrics.series.find((r) => r.series === DEFAULT_THRESHOLD_SERIES)?.model.threshold ?? 0).toPrecision(6),
  );

  const manifest: ModelManifest = {
    name: MODEL_NAME,
    version,
    sha256: createHash("sha256").update(onnx).digest("hex"),
    description:
      "Anomaly score of a reading: how far (in standard deviations of the 128 values before its window) its value lies from what a dense network predicts from the 31 values before it.",
    input: { name: INPUT_NAME, shape: ["batch", WINDOW] },
    output: { name: OUTPUT_NAME, shape: ["batch"] },
    features: { window: WINDOW, context: CONTEXT, clip: FEATURE_CLIP },
    threshold,
    training: {
      script: "gateway/training/train-anomaly-model-cli.ts",
      data: `gateway/${relative(join(import.meta.dirname, ".."), NAB_DIR)} (Numenta Anomaly Benchmark sample, see NOTICE.md): probation period (first 15%) of every series and all of artificialNoAnomaly`,
      windows: count,
      ...TRAINING,
      finalLoss: Number((losses.at(-1) ?? 0).toPrecision(6)),
      defaultThreshold: `the probation threshold of ${DEFAULT_THRESHOLD_SERIES}`,
    },
  };
  return { onnx, manifest, metrics, losses };
}
