import { SPIKE_LEVEL_WIDTH } from "../src/inference/spike-level-features.js";
import { SPIKE_WINDOW, type FeatureCache } from "./detector-selection.js";
import type { NabSeries } from "./nab-data.js";

/**
 * The baseline every detector is judged against: the rolling z-score of a value against the
 * Z_SCORE_WINDOW values before it, alarming above Z_SCORE_K standard deviations, the same on
 * every series. It is the detector's spike feature, whose window is the baseline's.
 */
export const Z_SCORE_WINDOW = SPIKE_WINDOW;
export const Z_SCORE_K = 4;

export function zScoreAlarms(series: NabSeries, cache: FeatureCache): boolean[] {
  const rows = cache.rows(series, { levelBlock: 32, levelBlocks: 32 });
  return Array.from(series.values, (_, i) => (rows[i * SPIKE_LEVEL_WIDTH] ?? Number.NaN) > Z_SCORE_K);
}
