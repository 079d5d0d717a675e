import { readFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "@intelledger/test-support";

/**
 * The leave-series-out folds: every series of the NAB folder in exactly one fold, so a
 * detector is always judged on series that no choice was made on. Fixed and committed
 * (nab-folds.json); make-folds-cli.ts writes them from FOLD_SEED.
 */
export const FOLDS_FILE = join(import.meta.dirname, "nab-folds.json");
export const FOLD_COUNT = 4;
export const FOLD_SEED = 20_260_516;

export interface NabFolds {
  seed: number;
  /** Series names per fold. */
  folds: string[][];
}

/**
 * Deals the series into FOLD_COUNT folds, stratified by NAB's category (the folder): each
 * category's series, shuffled with the seed, go round the folds in turn, continuing where
 * the previous category stopped, so folds differ in size by one at most.
 */
export function makeFolds(names: readonly string[], seed = FOLD_SEED): NabFolds {
  const random = seededRandom(seed);
  const folds: string[][] = Array.from({ length: FOLD_COUNT }, () => []);
  const categories = [...new Set(names.map((name) => name.split("/")[0] ?? ""))].sort();
  let next = 0;
  for (const category of categories) {
    const members = names.filter((name) => name.startsWith(`${category}/`)).sort();
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j] ?? "", members[i] ?? ""];
    }
    for (const name of members) folds[next++ % FOLD_COUNT]?.push(name);
  }
  return { seed, folds: folds.map((fold) => fold.sort()) };
}

export function readFolds(file = FOLDS_FILE): NabFolds {
  return JSON.parse(readFileSync(file, "utf8")) as NabFolds;
}
