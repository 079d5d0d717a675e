import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeJsonFile } from "./json-file.js";
import { loadNab } from "./nab-data.js";
import { buildWindowForecaster, MODEL_NAME } from "./window-forecaster.js";

/**
 * Trains the first anomaly model, the dense window forecaster (kept as a baseline), and
 * writes its version folder: model.onnx, manifest.json and metrics.json (its alarms on every
 * NAB series by its own threshold rule, judged by both rules of nab-evaluation.ts).
 * Deterministic: the same data and options give the same bytes.
 *
 *   npx tsx gateway/training/train-window-forecaster-cli.ts [--version 1] [--out gateway/models]
 */
const { values: args } = parseArgs({
  options: {
    version: { type: "string", default: "1" },
    out: { type: "string", default: join(import.meta.dirname, "../models") },
  },
});
const version = Number(args.version);
const { onnx, manifest, metrics, losses } = await buildWindowForecaster(loadNab(), version);
const folder = join(args.out, MODEL_NAME, String(version));
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, "model.onnx"), onnx);
await writeJsonFile(join(folder, "manifest.json"), manifest);
await writeJsonFile(join(folder, "metrics.json"), metrics);
console.log(
  `trained ${MODEL_NAME} ${version} on ${manifest.training.windows as number} windows, loss ${losses[0]?.toFixed(4)} -> ${losses.at(-1)?.toFixed(4)}, threshold ${manifest.threshold}`,
);
console.log(`wrote ${folder}`);
