import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL, listVersions, readModelFolder, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import { evaluate, type EvaluationResult } from "./anomaly-evaluation.js";
import { loadNab } from "./nab-data.js";
import { countDetections, rates } from "./nab-evaluation.js";
import { buildShippedModel, onnxScorer } from "./shipped-model.js";
import { identityOnnx } from "./model-graphs.js";
import { WINDOW } from "../src/inference/window-features.js";

const version = listVersions(SHIPPED_MODELS_DIR, DEFAULT_MODEL).at(-1) ?? 0;
const files = readModelFolder(SHIPPED_MODELS_DIR, DEFAULT_MODEL, version);
const committedMetrics = JSON.parse(readFileSync(join(files.folder, "metrics.json"), "utf8")) as EvaluationResult;
const nab = loadNab();

describe("the shipped model on the NAB sample", () => {
  it("evaluates to the committed metrics", async () => {
    const scorer = await onnxScorer(files.bytes);
    const result = await evaluate(nab, scorer.score);
    await scorer.release();
    expect(result).toEqual(committedMetrics);
  });

  it("beats the rolling z-score on F1, over all series and on the machine temperature", () => {
    const { model, baseline } = committedMetrics.aggregate;
    expect(model.f1).toBeGreaterThan(baseline.f1);
    const machine = committedMetrics.series.find((s) => s.series === "realKnownCause/machine_temperature_system_failure.csv");
    expect(machine?.model.f1 ?? 0).toBeGreaterThan(machine?.baseline.f1 ?? 1);
  });

  it("is what the training script makes, byte for byte", async () => {
    const rebuilt = await buildShippedModel(nab, version);
    expect(Buffer.from(rebuilt.onnx).equals(Buffer.from(files.bytes))).toBe(true);
    expect(rebuilt.manifest).toEqual(files.manifest);
  }, 120_000);
});

describe("the benchmark's identity model", () => {
  it("is what make-identity-model-cli.ts writes", () => {
    const committed = readFileSync(join(import.meta.dirname, "../bench/models/identity/1/model.onnx"));
    expect(Buffer.from(identityOnnx(WINDOW)).equals(committed)).toBe(true);
  });
});

describe("the NAB scoring rule", () => {
  const series = {
    name: "s",
    timestampsMs: new Float64Array(200),
    values: new Float64Array(200),
    windows: [
      [100, 120],
      [150, 160],
    ] as [number, number][],
  };

  it("counts a window once, an alarm outside windows as a false positive, and a missed window as a false negative", () => {
    const scores = new Float64Array(200);
    for (const i of [50, 101, 105, 118, 190]) scores[i] = 10;
    // 101, 105 and 118 are one episode in window 1; 50 and 190 are outside; window 2 is missed.
    const counts = countDetections(scores, 5, series);
    expect(counts).toEqual({ truePositives: 1, falsePositives: 2, falseNegatives: 1 });
    expect(rates(counts)).toMatchObject({ precision: 1 / 3, recall: 0.5, f1: 0.4 });
  });

  it("ignores alarms in the probation period", () => {
    const scores = new Float64Array(200);
    scores[10] = 10;
    expect(countDetections(scores, 5, series)).toEqual({ truePositives: 0, falsePositives: 0, falseNegatives: 2 });
  });
});
