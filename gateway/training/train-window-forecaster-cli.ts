import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatEvaluation } from "./anomaly-evaluation.js";
import { loadNab } from "./nab-data.js";
import { buildShippedModel, MODEL_NAME } from "./shipped-model.js";

/**
 * Trains the gateway's anomaly model on the NAB sample and writes its version folder:
 * model.onnx, manifest.json and metrics.json (the evaluation of evaluate-anomaly-model-cli.ts).
 * Deterministic: the same data and options give the same bytes.
 *
 *   npx tsx gateway/training/train-anomaly-model-cli.ts [--version 1] [--out gateway/models]
 */
const { values: args } = parseArgs({
  options: {
    version: { type: "string", default: "1" },
    out: { type: "string", default: join(import.meta.dirname, "../models") },
  },
});
const version = Number(args.version);
const { onnx, manifest, metrics, losses } = await buildShippedModel(loadNab(), version);
const folder = join(args.out, MODEL_NAME, String(version));
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, "model.onnx"), onnx);
writeFileSync(join(folder, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(join(folder, "metrics.json"), `${JSON.stringify(metrics, null, 2)}\n`);
console.log(
  `trained ${MODEL_NAME} ${version} on ${manifest.training.windows as number} windows, loss ${losses[0]?.toFixed(4)} -> ${losses.at(-1)?.toFixed(4)}, threshold ${manifest.threshold}`,
);
console.log(formatEvaluation(metrics));
console.log(`wrote ${folder}`);
