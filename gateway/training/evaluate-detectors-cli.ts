import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModelFolder, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import { WINDOW } from "../src/inference/window-features.js";
import { crossValidate } from "./cross-validation.js";
import { formatCrossValidation } from "./cross-validation-table.js";
import { jsonText } from "./json-file.js";
import { loadNab } from "./nab-data.js";
import { readFolds } from "./nab-folds.js";
import { onnxScorer } from "./onnx-scorer.js";
import { MODEL_NAME } from "./spike-level-detector.js";
import { MODEL_NAME as FORECASTER } from "./window-forecaster.js";

/**
 * Runs the leave-series-out cross-validation again (the detector selected on three folds and
 * judged on the fourth, for each fold; the z-score and the window forecaster beside it),
 * prints the table as markdown, and says whether it is the committed metrics.json byte for
 * byte. About three minutes on one core.
 *
 *   npx tsx gateway/training/evaluate-detectors-cli.ts
 */
const forecaster = await onnxScorer(readModelFolder(SHIPPED_MODELS_DIR, FORECASTER, 1).bytes, WINDOW);
const result = await crossValidate(loadNab(), readFolds(), forecaster.score);
await forecaster.release();
console.log(formatCrossValidation(result));
const metricsFile = join(SHIPPED_MODELS_DIR, MODEL_NAME, "1", "metrics.json");
const same = readFileSync(metricsFile, "utf8") === (await jsonText(metricsFile, result));
console.log(same ? "matches the committed metrics.json byte for byte" : "DIFFERS from the committed metrics.json");
process.exitCode = same ? 0 : 1;
