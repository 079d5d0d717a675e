import { describe, expect, it } from "vitest";
import { loadNab } from "./nab-data.js";
import { FOLD_COUNT, makeFolds, readFolds } from "./nab-folds.js";

describe("the committed folds", () => {
  const names = loadNab().map((series) => series.name);
  const committed = readFolds();

  it("hold every NAB series exactly once, in folds of equal size within one", () => {
    expect(committed.folds).toHaveLength(FOLD_COUNT);
    expect(committed.folds.flat().sort()).toEqual([...names].sort());
    const sizes = committed.folds.map((fold) => fold.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it("are what make-folds-cli.ts deals from the seed, each category spread over the folds", () => {
    expect(makeFolds(names, committed.seed)).toEqual(committed);
    for (const fold of committed.folds)
      expect(fold.filter((name) => name.startsWith("realTweets/")).length).toBeGreaterThanOrEqual(2);
  });
});
