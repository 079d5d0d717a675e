import { writeFileSync } from "node:fs";
import { loadNab } from "./nab-data.js";
import { FOLDS_FILE, makeFolds } from "./nab-folds.js";

/**
 * Writes the leave-series-out folds of the NAB series (nab-folds.json). Run once; the folds
 * stay fixed so every evaluation uses the same ones.
 *
 *   npx tsx gateway/training/make-folds-cli.ts
 */
const folds = makeFolds(loadNab().map((series) => series.name));
writeFileSync(FOLDS_FILE, `${JSON.stringify(folds, null, 2)}\n`);
console.log(`wrote ${FOLDS_FILE}: ${folds.folds.map((fold) => fold.length).join(", ")} series`);
