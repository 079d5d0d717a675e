import { SPIKE_LEVEL_WIDTH } from "../src/inference/spike-level-features.js";
import { detectorSpec, FeatureCache, selectDetector, type Selected } from "./detector-selection.js";
import type { NabSeries } from "./nab-data.js";
import {
  countingRates,
  episodeRates,
  scoreAlarms,
  sumCounting,
  sumEpisodes,
  type CountingTally,
  type EpisodeTally,
  type Rates,
  type SeriesScore,
} from "./nab-evaluation.js";
import type { NabFolds } from "./nab-folds.js";
import { detectSeries } from "./offline-detection.js";
import { detectorOnnx } from "./spike-level-detector.js";
import { onnxScorer, type ScoreWindows } from "./onnx-scorer.js";
import { evaluateWindowForecaster } from "./window-forecaster.js";
import { Z_SCORE_K, Z_SCORE_WINDOW, zScoreAlarms } from "./z-score-baseline.js";

export type DetectorName = "detector" | "zScore" | "windowForecaster";
export const DETECTORS: readonly DetectorName[] = ["detector", "zScore", "windowForecaster"];

export interface SeriesRow extends Record<DetectorName, SeriesScore> {
  series: string;
  /** 1-based: the fold the series was judged in, by the detector selected on the other folds. */
  fold: number;
}

export interface FoldResult {
  fold: number;
  validation: string[];
  selected: Selected;
}

export interface RuleSummary<Tally> {
  /** Mean of the per-series F1 over the labelled series. */
  meanF1: number;
  /** Series where this detector's F1 is at least the z-score's. */
  atLeastZScore: number;
  /** Rates from the tallies summed over the labelled series. */
  summed: Tally & Rates;
}

export interface DetectorSummary {
  counting: RuleSummary<CountingTally>;
  episodes: RuleSummary<EpisodeTally>;
}

export interface CrossValidation {
  protocol: Record<string, string | number>;
  folds: FoldResult[];
  series: SeriesRow[];
  summary: { labelledSeries: number } & Record<DetectorName, DetectorSummary>;
}

/** The summary of the labelled series' rows: mean F1, wins against the z-score and summed tallies, per detector and rule. */
export function summarise(labelled: readonly SeriesRow[], name: DetectorName): DetectorSummary {
  const atLeast = (rule: "counting" | "episodes") => labelled.filter((r) => r[name][rule].f1 >= r.zScore[rule].f1).length;
  const mean = (rule: "counting" | "episodes") => labelled.reduce((sum, r) => sum + r[name][rule].f1, 0) / labelled.length;
  const counting = sumCounting(labelled.map((r) => r[name].counting));
  const episodes = sumEpisodes(labelled.map((r) => r[name].episodes));
  return {
    counting: {
      meanF1: mean("counting"),
      atLeastZScore: atLeast("counting"),
      summed: { ...counting, ...countingRates(counting) },
    },
    episodes: {
      meanF1: mean("episodes"),
      atLeastZScore: atLeast("episodes"),
      summed: { ...episodes, ...episodeRates(episodes) },
    },
  };
}

/** What every fold shares: the features computed once, and the fixed-rule detectors' results. */
export interface Baselines {
  cache: FeatureCache;
  forecaster: Map<string, SeriesScore>;
}

export async function baselines(all: readonly NabSeries[], forecaster: ScoreWindows): Promise<Baselines> {
  const results = await evaluateWindowForecaster(all, forecaster);
  return {
    cache: new FeatureCache(),
    forecaster: new Map(results.map((r) => [r.series, { counting: r.counting, episodes: r.episodes }])),
  };
}

/**
 * One fold: the detector is selected on the series of the other folds only
 * (selectDetector), and its alarms on the fold's series are made by the gateway's own code
 * (ChannelDetectors, the model through ONNX Runtime). The z-score baseline and the window
 * forecaster (each with its fixed rule, nothing to select) alarm too. Each series is judged
 * by both rules.
 */
export async function validateFold(
  all: readonly NabSeries[],
  members: readonly string[],
  fold: number,
  shared: Baselines,
): Promise<{ fold: FoldResult; rows: SeriesRow[] }> {
  const selected = selectDetector(
    all.filter((series) => !members.includes(series.name)),
    shared.cache,
  );
  const scorer = await onnxScorer(detectorOnnx(selected), SPIKE_LEVEL_WIDTH);
  const rows: SeriesRow[] = [];
  for (const series of all.filter((s) => members.includes(s.name))) {
    const decisions = await detectSeries(series.values, detectorSpec(selected), scorer.score);
    const windowForecaster = shared.forecaster.get(series.name);
    if (!windowForecaster) throw new Error(`no forecaster result for ${series.name}`);
    rows.push({
      series: series.name,
      fold,
      detector: scoreAlarms(
        decisions.map((d) => d.anomalous),
        series,
      ),
      zScore: scoreAlarms(zScoreAlarms(series, shared.cache), series),
      windowForecaster,
    });
  }
  await scorer.release();
  return { fold: { fold, validation: [...members], selected }, rows };
}

export const isLabelled = (all: readonly NabSeries[]) => (row: SeriesRow) =>
  (all.find((s) => s.name === row.series)?.windows.length ?? 0) > 0;

/** Leave-series-out cross-validation over the fixed folds (validateFold for each). */
export async function crossValidate(
  all: readonly NabSeries[],
  folds: NabFolds,
  forecaster: ScoreWindows,
  onFold: (fold: FoldResult) => void = () => undefined,
): Promise<CrossValidation> {
  const names = folds.folds.flat();
  if (names.length !== all.length || new Set(names).size !== names.length || !all.every((s) => names.includes(s.name)))
    throw new Error("the folds must hold every series exactly once");
  const shared = await baselines(all, forecaster);
  const foldResults: FoldResult[] = [];
  const rows: SeriesRow[] = [];
  for (const [k, members] of folds.folds.entries()) {
    const { fold, rows: foldRows } = await validateFold(all, members, k + 1, shared);
    foldResults.push(fold);
    rows.push(...foldRows);
    onFold(fold);
  }
  rows.sort((a, b) => (a.series < b.series ? -1 : 1));
  const labelled = rows.filter(isLabelled(all));
  return {
    protocol: {
      folds: folds.folds.length,
      foldSeed: folds.seed,
      selection: "on the other folds only: the candidate of detector-selection.ts with the best mean F1, both rules averaged",
      countingRule: "nab-evaluation.ts countAlarms",
      episodeRule: "nab-evaluation.ts countEpisodes",
      zScore: `rolling z-score over ${Z_SCORE_WINDOW} values, alarm above ${Z_SCORE_K}`,
      windowForecaster: "window-forecaster@1 with its own rule, 1.6 x the highest score of a series' probation",
    },
    folds: foldResults,
    series: rows,
    summary: {
      labelledSeries: labelled.length,
      detector: summarise(labelled, "detector"),
      zScore: summarise(labelled, "zScore"),
      windowForecaster: summarise(labelled, "windowForecaster"),
    },
  };
}
