import type { DetectorSpec } from "../src/inference/channel-detectors.js";
import { SPIKE_LEVEL_WIDTH, SpikeLevelFeatures, type SpikeLevelSpec } from "../src/inference/spike-level-features.js";
import {
  ruleThreshold,
  ScoreHistogram,
  StreamThreshold,
  type Calibration,
  type CalibrationRule,
} from "../src/inference/threshold-calibration.js";
import { weightedMaxScore } from "../src/inference/weighted-max-model.js";
import type { NabSeries } from "./nab-data.js";
import { scoreAlarms } from "./nab-evaluation.js";

/**
 * Fixed before any evaluation, not selected: the spike window is the z-score baseline's
 * (a day of five-minute readings); the level statistic waits for 8 blocks; a channel
 * refreshes its threshold every 32 scores and halves its histogram at 8,192 scores.
 */
export const SPIKE_WINDOW = 288;
export const MIN_LEVEL_BLOCKS = 8;
export const REFRESH_EVERY = 32;
export const MEMORY = 8_192;

/** One point of the grid every selection searches. */
export interface Candidate {
  levelBlock: number;
  levelBlocks: number;
  /** The level score's weight against the spike score's 1; 0 leaves the spike score alone. */
  levelWeight: number;
  rule: CalibrationRule;
  /** A channel's threshold stays within the fallback ÷ clamp and the fallback × clamp. */
  clamp: number;
  /** Scores a channel sees before it leaves the fallback for its own threshold. */
  warmUp: number;
}

const LEVEL_BLOCKS = [16, 32, 64];
const LEVEL_BLOCK_COUNTS = [32, 64];
const LEVEL_WEIGHTS = [0, 0.5, 1, 2];
const RULES: CalibrationRule[] = [
  ...[0.99, 0.995, 0.999].flatMap((quantile) =>
    [1, 1.5, 2].map((multiplier): CalibrationRule => ({ kind: "quantile", quantile, multiplier })),
  ),
  ...[8, 12, 16, 24, 32].map((deviations): CalibrationRule => ({ kind: "mad", deviations })),
];
const CLAMPS = [4, 16];
const WARM_UPS = [64, 256];

interface Geometry {
  levelBlock: number;
  levelBlocks: number;
}

/** The score sets of the grid: one per level geometry and weight (the spike score alone once). */
function scoreSets(): (Geometry & { levelWeight: number })[] {
  return LEVEL_WEIGHTS.flatMap((levelWeight) =>
    (levelWeight === 0 ? LEVEL_BLOCKS.slice(0, 1) : LEVEL_BLOCKS).flatMap((levelBlock) =>
      (levelWeight === 0 ? LEVEL_BLOCK_COUNTS.slice(0, 1) : LEVEL_BLOCK_COUNTS).map((levelBlocks) => ({
        levelBlock,
        levelBlocks,
        levelWeight,
      })),
    ),
  );
}

const sameSet = (a: Geometry & { levelWeight: number }, b: Geometry & { levelWeight: number }) =>
  a.levelBlock === b.levelBlock && a.levelBlocks === b.levelBlocks && a.levelWeight === b.levelWeight;

/** Every candidate, in the order ties are broken (the first wins). */
export function candidates(): Candidate[] {
  return scoreSets().flatMap((set) =>
    RULES.flatMap((rule) => CLAMPS.flatMap((clamp) => WARM_UPS.map((warmUp) => ({ ...set, rule, clamp, warmUp })))),
  );
}

export function featureSpec(geometry: Geometry): SpikeLevelSpec {
  return {
    kind: "spike-level",
    spikeWindow: SPIKE_WINDOW,
    levelBlock: geometry.levelBlock,
    levelBlocks: geometry.levelBlocks,
    minLevelBlocks: MIN_LEVEL_BLOCKS,
  };
}

/** A candidate made concrete by the training series: its fallback and clamps. */
export interface Selected {
  candidate: Candidate;
  /** The median over the training series of the threshold the rule gives on all of a series' scores. */
  fallback: number;
  min: number;
  max: number;
  /** Mean over the labelled training series of the two rules' F1, averaged. */
  objective: number;
}

export const ensembleWeights = (candidate: Candidate): number[] => [1, candidate.levelWeight];

export function calibration(selected: Selected): Calibration {
  return {
    rule: selected.candidate.rule,
    warmUp: selected.candidate.warmUp,
    refreshEvery: REFRESH_EVERY,
    memory: MEMORY,
    min: selected.min,
    max: selected.max,
  };
}

/** What the gateway's detectors need: the manifest's features, fallback threshold and calibration. */
export function detectorSpec(selected: Selected): DetectorSpec & { features: SpikeLevelSpec; calibration: Calibration } {
  return { features: featureSpec(selected.candidate), threshold: selected.fallback, calibration: calibration(selected) };
}

/** The features of every value of a series (NaN rows while not ready), per level geometry, computed once. */
export class FeatureCache {
  private readonly cache = new Map<string, Float32Array>();

  rows(series: NabSeries, geometry: Geometry): Float32Array {
    const key = `${series.name}\u0000${geometry.levelBlock}\u0000${geometry.levelBlocks}`;
    let rows = this.cache.get(key);
    if (!rows) {
      rows = new Float32Array(series.values.length * SPIKE_LEVEL_WIDTH).fill(Number.NaN);
      const features = new SpikeLevelFeatures(featureSpec(geometry));
      for (let i = 0; i < series.values.length; i++) {
        features.push(series.values[i] ?? 0);
        if (features.ready) features.write(rows, i * SPIKE_LEVEL_WIDTH);
      }
      this.cache.set(key, rows);
    }
    return rows;
  }

  /** The ensemble's score of every value (NaN while not ready), as the ONNX graph computes it. */
  scores(series: NabSeries, set: Geometry & { levelWeight: number }): Float64Array {
    const rows = this.rows(series, set);
    const weights = Float32Array.from([1, set.levelWeight]);
    const scores = new Float64Array(series.values.length);
    for (let i = 0; i < scores.length; i++) {
      const row = rows.subarray(i * SPIKE_LEVEL_WIDTH, (i + 1) * SPIKE_LEVEL_WIDTH);
      scores[i] = Number.isNaN(row[0]) ? Number.NaN : weightedMaxScore(weights, row);
    }
    return scores;
  }
}

/**
 * A channel's alarms over precomputed scores: what ChannelDetectors decides (each score
 * against the threshold as it stood before it, then taught to it), without recomputing
 * features for every candidate.
 */
export function alarmsOf(scores: Float64Array, fallback: number, calibration: Calibration): Uint8Array {
  const threshold = new StreamThreshold(fallback, calibration);
  const alarms = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] ?? Number.NaN;
    if (Number.isNaN(score)) continue;
    alarms[i] = score > threshold.current ? 1 : 0;
    threshold.observe(score);
  }
  return alarms;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The threshold a rule gives on all of a series' scores. */
function wholeSeriesThreshold(scores: Float64Array, rule: CalibrationRule): number {
  const histogram = new ScoreHistogram();
  for (const score of scores) if (!Number.isNaN(score)) histogram.add(Math.max(0, score));
  histogram.summarise();
  return ruleThreshold(rule, histogram);
}

/**
 * Picks the candidate with the best mean F1 (both rules averaged) over the labelled series
 * of `training`, looking at nothing else. A candidate's fallback threshold is the median of
 * what its rule gives on each training series, and its clamps follow from that.
 */
export function selectDetector(training: readonly NabSeries[], cache: FeatureCache): Selected {
  const labelled = training.filter((series) => series.windows.length > 0);
  // Candidates come grouped by score set, then by rule: compute each once.
  let scores = new Map<NabSeries, Float64Array>();
  let scoresOf: Candidate | undefined;
  let fallback = 0;
  let fallbackOf: Candidate | undefined;
  let best: Selected | undefined;
  for (const candidate of candidates()) {
    if (!scoresOf || !sameSet(scoresOf, candidate)) {
      scores = new Map(training.map((series) => [series, cache.scores(series, candidate)]));
      scoresOf = candidate;
      fallbackOf = undefined;
    }
    if (fallbackOf?.rule !== candidate.rule) {
      fallback = median(training.map((series) => wholeSeriesThreshold(scores.get(series) ?? new Float64Array(), candidate.rule)));
      fallbackOf = candidate;
    }
    const selected: Selected = {
      candidate,
      fallback,
      min: fallback / candidate.clamp,
      max: fallback * candidate.clamp,
      objective: 0,
    };
    const spec = calibration(selected);
    let sum = 0;
    for (const series of labelled) {
      const { counting, episodes } = scoreAlarms(alarmsOf(scores.get(series) ?? new Float64Array(), fallback, spec), series);
      sum += (counting.f1 + episodes.f1) / 2;
    }
    selected.objective = sum / labelled.length;
    if (!best || selected.objective > best.objective) best = selected;
  }
  if (!best) throw new Error("no candidate to select from");
  return best;
}
