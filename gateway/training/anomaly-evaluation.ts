import { countDetections, probationThreshold, rates, sumCounts, type DetectionRates } from "./nab-evaluation.js";
import type { NabSeries } from "./nab-data.js";
import { baselineScores, modelScores } from "./series-scores.js";

export interface SeriesResult {
  series: string;
  model: DetectionRates & { threshold: number };
  baseline: DetectionRates & { threshold: number };
}

export interface EvaluationResult {
  series: SeriesResult[];
  aggregate: { model: DetectionRates; baseline: DetectionRates };
}

export type BatchScorer = (features: Float32Array, count: number) => Promise<ArrayLike<number>>;

/** Scores every labelled series with the model and the rolling z-score, by the rule in nab-evaluation.ts. */
export async function evaluate(allSeries: readonly NabSeries[], scorer: BatchScorer): Promise<EvaluationResult> {
  const series: SeriesResult[] = [];
  for (const s of allSeries) {
    if (s.windows.length === 0) continue;
    const model = await modelScores(s.values, scorer);
    const baseline = baselineScores(s.values);
    const modelThreshold = probationThreshold(model, s);
    const baselineThreshold = probationThreshold(baseline, s);
    series.push({
      series: s.name,
      model: { ...rates(countDetections(model, modelThreshold, s)), threshold: modelThreshold },
      baseline: { ...rates(countDetections(baseline, baselineThreshold, s)), threshold: baselineThreshold },
    });
  }
  return {
    series,
    aggregate: {
      model: rates(sumCounts(series.map((r) => r.model))),
      baseline: rates(sumCounts(series.map((r) => r.baseline))),
    },
  };
}

const fixed = (n: number) => n.toFixed(3);

/** A side-by-side table of the model's and the baseline's precision, recall and F1. */
export function formatEvaluation(result: EvaluationResult): string {
  const rows = [
    ["series", "model P", "model R", "model F1", "z-score P", "z-score R", "z-score F1"],
    ...result.series.map((r) => [
      r.series,
      fixed(r.model.precision),
      fixed(r.model.recall),
      fixed(r.model.f1),
      fixed(r.baseline.precision),
      fixed(r.baseline.recall),
      fixed(r.baseline.f1),
    ]),
    [
      "all (summed counts)",
      fixed(result.aggregate.model.precision),
      fixed(result.aggregate.model.recall),
      fixed(result.aggregate.model.f1),
      fixed(result.aggregate.baseline.precision),
      fixed(result.aggregate.baseline.recall),
      fixed(result.aggregate.baseline.f1),
    ],
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length))) ?? [];
  return rows
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "))
    .join("\n");
}
