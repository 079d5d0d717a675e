import { HISTORY, WINDOW } from "../src/inference/window-features.js";
import { probationEnd, type NabSeries } from "./nab-data.js";

/** Detection counts of one detector on one series, and the rates that follow. */
export interface DetectionCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface DetectionRates extends DetectionCounts {
  precision: number;
  recall: number;
  f1: number;
}

/** Quantile of the probationary scores that becomes a series' threshold. */
export const THRESHOLD_QUANTILE = 1;
/** Multiplier applied to it, the same for every detector. */
export const THRESHOLD_MARGIN = 1.6;

/**
 * The scoring rule, NAB-style:
 * - scores start once HISTORY values are known; the first 15% of a series is
 *   probation, where detectors learn and nothing is scored;
 * - a series' threshold is THRESHOLD_MARGIN × the THRESHOLD_QUANTILE quantile of the
 *   detector's scores in probation (with quantile 1: 1.6 × the highest probation score);
 *   no labels are looked at;
 * - after probation, a score above the threshold raises an alarm; alarms within WINDOW
 *   readings of the previous one belong to the same alarm (one event per episode);
 * - an alarm inside a labelled window detects it: the window's first detection is a true
 *   positive, later alarms in the same window count for nothing; an alarm outside every
 *   window is a false positive; a window after probation without an alarm is a false negative.
 */
export function probationThreshold(scores: Float64Array, series: Pick<NabSeries, "values">): number {
  const learned = Array.from(scores.subarray(HISTORY - 1, probationEnd(series)))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const index = Math.min(learned.length - 1, Math.floor(THRESHOLD_QUANTILE * learned.length));
  return THRESHOLD_MARGIN * (learned[index] ?? 0);
}

export function countDetections(scores: Float64Array, threshold: number, series: NabSeries): DetectionCounts {
  const start = probationEnd(series);
  const windows = series.windows.filter(([, last]) => last >= start);
  const detected = new Set<number>();
  let falsePositives = 0;
  let lastAlarm = -Infinity;
  for (let i = start; i < scores.length; i++) {
    if (!((scores[i] ?? 0) > threshold)) continue;
    const sameEpisode = i - lastAlarm <= WINDOW;
    lastAlarm = i;
    if (sameEpisode) continue;
    const window = windows.findIndex(([first, last]) => i >= first && i <= last);
    if (window < 0) falsePositives++;
    else detected.add(window);
  }
  return { truePositives: detected.size, falsePositives, falseNegatives: windows.length - detected.size };
}

export function rates(counts: DetectionCounts): DetectionRates {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = counts;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...counts, precision, recall, f1 };
}

export function sumCounts(all: readonly DetectionCounts[]): DetectionCounts {
  return all.reduce(
    (sum, c) => ({
      truePositives: sum.truePositives + c.truePositives,
      falsePositives: sum.falsePositives + c.falsePositives,
      falseNegatives: sum.falseNegatives + c.falseNegatives,
    }),
    { truePositives: 0, falsePositives: 0, falseNegatives: 0 },
  );
}
