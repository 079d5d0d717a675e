import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_MODEL, listVersions, readModelFolder, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import { evaluate, formatEvaluation } from "./anomaly-evaluation.js";
import { loadNab, NAB_DIR } from "./nab-data.js";
import { THRESHOLD_MARGIN, THRESHOLD_QUANTILE } from "./nab-evaluation.js";
import { onnxScorer } from "./shipped-model.js";

/**
 * Scores the NAB sample's labelled windows with a model (through ONNX Runtime) and with the
 * rolling z-score baseline, and prints precision, recall and F1 per series side by side.
 *
 *   npx tsx gateway/training/evaluate-anomaly-model-cli.ts [--models gateway/models] [--model window-forecaster] [--version N] [--nab DIR]
 */
const { values: args } = parseArgs({
  options: {
    models: { type: "string", default: SHIPPED_MODELS_DIR },
    model: { type: "string", default: DEFAULT_MODEL },
    version: { type: "string" },
    nab: { type: "string", default: NAB_DIR },
  },
});
const version = args.version === undefined ? listVersions(args.models, args.model).at(-1) : Number(args.version);
if (version === undefined) throw new Error(`no version of ${args.model} in ${args.models}`);
const files = readModelFolder(args.models, args.model, version);
const scorer = await onnxScorer(files.bytes);
const result = await evaluate(loadNab(args.nab), scorer.score);
await scorer.release();
console.log(
  `${args.model}@${version} against the rolling z-score; threshold per series: ${THRESHOLD_MARGIN} x the ${THRESHOLD_QUANTILE} quantile of its probation scores`,
);
console.log(formatEvaluation(result));
const committed = JSON.stringify(JSON.parse(readFileSync(`${files.folder}/metrics.json`, "utf8")));
console.log(
  committed === JSON.stringify(result) ? "matches the committed metrics.json" : "DIFFERS from the committed metrics.json",
);
