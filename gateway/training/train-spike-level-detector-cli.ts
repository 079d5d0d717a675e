import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readModelFolder, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import { WINDOW } from "../src/inference/window-features.js";
import { crossValidate } from "./cross-validation.js";
import { describeSelection, formatCrossValidation } from "./cross-validation-table.js";
import { FeatureCache, selectDetector } from "./detector-selection.js";
import { jsonText, writeJsonFile } from "./json-file.js";
import { loadNab } from "./nab-data.js";
import { readFolds } from "./nab-folds.js";
import { buildDetector, MODEL_NAME } from "./spike-level-detector.js";
import { onnxScorer } from "./onnx-scorer.js";
import { MODEL_NAME as FORECASTER } from "./window-forecaster.js";

/**
 * Cross-validates the detector's selection over the fixed folds, then makes the same
 * selection on all 52 series and writes the shipped version folder: model.onnx,
 * manifest.json and metrics.json (the cross-validated table). Deterministic: the same data
 * gives the same bytes. About six minutes of CPU.
 *
 *   npx tsx gateway/training/train-spike-level-detector-cli.ts [--version 1] [--out gateway/models]
 */
const { values: args } = parseArgs({
  options: {
    version: { type: "string", default: "1" },
    out: { type: "string", default: join(import.meta.dirname, "../models") },
  },
});
const version = Number(args.version);
const nab = loadNab();
const forecaster = await onnxScorer(readModelFolder(SHIPPED_MODELS_DIR, FORECASTER, 1).bytes, WINDOW);
const metrics = await crossValidate(nab, readFolds(), forecaster.score, (fold) =>
  console.log(`fold ${fold.fold}: ${describeSelection(fold.selected)}`),
);
await forecaster.release();
const selected = selectDetector(nab, new FeatureCache());
console.log(`all series: ${describeSelection(selected)}`);
const { onnx, manifest } = buildDetector(selected, version);
const folder = join(args.out, MODEL_NAME, String(version));
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, "model.onnx"), onnx);
await writeJsonFile(join(folder, "manifest.json"), manifest);
const metricsFile = join(folder, "metrics.json");
const text = await jsonText(metricsFile, metrics);
const before = (() => {
  try {
    return readFileSync(metricsFile, "utf8");
  } catch {
    return undefined;
  }
})();
writeFileSync(metricsFile, text);
console.log(formatCrossValidation(metrics));
console.log(
  `wrote ${folder}${before === undefined ? "" : before === text ? " (metrics.json unchanged)" : " (metrics.json changed)"}`,
);
