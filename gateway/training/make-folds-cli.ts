import { writeJsonFile } from "./json-file.js";
import { loadNab } from "./nab-data.js";
import { FOLDS_FILE, makeFolds } from "./nab-folds.js";

/**
 * Writes the leave-series-out folds of the NAB series (nab-folds.json). Run once; the folds
 * stay fixed so every evaluation uses the same ones.
 *
 *   npx tsx gateway/training/make-folds-cli.ts
 */
const folds = makeFolds(loadNab().map((series) => series.name));
await writeJsonFile(FOLDS_FILE, folds);
console.log(`wrote ${FOLDS_FILE}: ${folds.folds.map((fold) => fold.length).join(", ")} series`);
