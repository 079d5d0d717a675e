import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readModelFolder, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import { readOnnxWeights } from "../src/inference/onnx-weights.js";
import { SPIKE_LEVEL_WIDTH } from "../src/inference/spike-level-features.js";
import { weightedMaxFromOnnx, weightedMaxScore } from "../src/inference/weighted-max-model.js";
import { WINDOW } from "../src/inference/window-features.js";
import { seededRandom } from "@intelledger/test-support";
import { baselines, isLabelled, summarise, validateFold, type CrossValidation } from "./cross-validation.js";
import { alarmsOf, detectorSpec, FeatureCache, selectDetector } from "./detector-selection.js";
import { loadNab } from "./nab-data.js";
import { readFolds } from "./nab-folds.js";
import { detectSeries } from "./offline-detection.js";
import { onnxScorer } from "./onnx-scorer.js";
import { buildDetector, MODEL_NAME } from "./spike-level-detector.js";
import { MODEL_NAME as FORECASTER } from "./window-forecaster.js";

/**
 * How many of the five selections the tests make again, each a minute or two on an idle core:
 * the shipped model's (on all 52 series) first, then the four folds' (with their series judged).
 */
const SELECTIONS = Math.min(5, Number(process.env.EDGE_NAB_SELECTIONS ?? 1));
const FOLDS_CHECKED = Math.max(0, SELECTIONS - 1);
const HEAVY_MS = 1_800_000;

const nab = loadNab();
const files = readModelFolder(SHIPPED_MODELS_DIR, MODEL_NAME, 1);
const committed = JSON.parse(readFileSync(join(files.folder, "metrics.json"), "utf8")) as CrossValidation;

describe("the shipped spike-level detector", () => {
  it("scores in ONNX Runtime exactly as its network computed in float32", async () => {
    const weights = weightedMaxFromOnnx(readOnnxWeights(files.bytes));
    const random = seededRandom(11);
    const count = 10_000;
    const rows = new Float32Array(count * SPIKE_LEVEL_WIDTH).map(() => random() * 10 ** (random() * 8 - 3));
    const scorer = await onnxScorer(files.bytes, SPIKE_LEVEL_WIDTH);
    const scores = await scorer.score(rows, count);
    await scorer.release();
    for (let n = 0; n < count; n++)
      expect(scores[n]).toBe(weightedMaxScore(weights, rows.subarray(n * SPIKE_LEVEL_WIDTH, (n + 1) * SPIKE_LEVEL_WIDTH)));
  });

  it.skipIf(SELECTIONS < 1)(
    "is what the selection on all 52 series makes, byte for byte (skipped with EDGE_NAB_SELECTIONS=0)",
    () => {
      const rebuilt = buildDetector(selectDetector(nab, new FeatureCache()), 1);
      expect(Buffer.from(rebuilt.onnx).equals(Buffer.from(files.bytes))).toBe(true);
      expect(rebuilt.manifest).toEqual(files.manifest);
    },
    HEAVY_MS,
  );

  it("decides offline through ONNX Runtime as the selection's fast path does", async () => {
    const cache = new FeatureCache();
    const selected = committed.folds[0]?.selected;
    if (!selected) throw new Error("metrics.json lacks its folds");
    const scorer = await onnxScorer(buildDetector(selected, 1).onnx, SPIKE_LEVEL_WIDTH);
    for (const name of ["realKnownCause/machine_temperature_system_failure.csv", "realTweets/Twitter_volume_AAPL.csv"]) {
      const series = nab.find((s) => s.name === name);
      if (!series) throw new Error(`${name} is missing`);
      const spec = detectorSpec(selected);
      const offline = (await detectSeries(series.values, spec, scorer.score)).map((d) => d.anomalous);
      const fast = Array.from(alarmsOf(cache.scores(series, selected.candidate), spec.threshold, spec.calibration), Boolean);
      expect(offline).toEqual(fast);
      expect(offline.filter(Boolean).length).toBeGreaterThan(0);
    }
    await scorer.release();
  });
});

describe("the committed cross-validation (metrics.json)", () => {
  it.skipIf(FOLDS_CHECKED < 1)(
    `reproduces for ${FOLDS_CHECKED} of its folds the selection on the other folds and the judged series (EDGE_NAB_SELECTIONS=2 or more)`,
    async () => {
      const forecaster = await onnxScorer(readModelFolder(SHIPPED_MODELS_DIR, FORECASTER, 1).bytes, WINDOW);
      const shared = await baselines(nab, forecaster.score);
      await forecaster.release();
      const folds = readFolds();
      expect(committed.protocol.foldSeed).toBe(folds.seed);
      for (let k = 0; k < FOLDS_CHECKED; k++) {
        const { fold, rows } = await validateFold(nab, folds.folds[k] ?? [], k + 1, shared);
        expect(fold).toEqual(committed.folds[k]);
        expect(rows).toEqual(committed.series.filter((row) => row.fold === k + 1));
      }
    },
    HEAVY_MS,
  );

  it("summarises its rows, and the detector clears the bar on both rules", () => {
    const labelled = committed.series.filter(isLabelled(nab));
    expect(committed.summary.labelledSeries).toBe(46);
    for (const name of ["detector", "zScore", "windowForecaster"] as const)
      expect(committed.summary[name]).toEqual(summarise(labelled, name));
    for (const rule of ["counting", "episodes"] as const) {
      const { detector, zScore } = committed.summary;
      expect(detector[rule].meanF1).toBeGreaterThan(zScore[rule].meanF1);
      expect(detector[rule].atLeastZScore).toBeGreaterThanOrEqual((2 / 3) * labelled.length);
    }
  });
});
