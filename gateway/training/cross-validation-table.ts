import type { CalibrationRule } from "../src/inference/threshold-calibration.js";
import type { CrossValidation, DetectorName } from "./cross-validation.js";
import type { Selected } from "./detector-selection.js";

const fixed = (n: number) => n.toFixed(3);
const LABELS: Record<DetectorName, string> = { detector: "detector", zScore: "z-score", windowForecaster: "forecaster" };
const NAMES: DetectorName[] = ["detector", "zScore", "windowForecaster"];

function markdown(rows: readonly (readonly string[])[]): string {
  const [head = [], ...body] = rows;
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? "---" : "---:"))), ...body.map(line)].join("\n");
}

export function describeRule(rule: CalibrationRule): string {
  return rule.kind === "quantile" ? `${rule.multiplier} x quantile ${rule.quantile}` : `median + ${rule.deviations} x 1.4826 MAD`;
}

export function describeSelection(selected: Selected): string {
  const { candidate: c } = selected;
  const level = c.levelWeight === 0 ? "spike only" : `level ${c.levelWeight} x (${c.levelBlock} x ${c.levelBlocks})`;
  return `${level}; ${describeRule(c.rule)}; fallback ${selected.fallback.toPrecision(4)}, clamp /${c.clamp} to x${c.clamp}`;
}

/** The cross-validated table as markdown: the folds' selections, per-series F1 by both rules, and the summary. */
export function formatCrossValidation(cv: CrossValidation): string {
  const folds = markdown([
    ["fold", "series", "selected on the other folds", "training objective"],
    ...cv.folds.map((f) => [
      String(f.fold),
      String(f.validation.length),
      describeSelection(f.selected),
      fixed(f.selected.objective),
    ]),
  ]);
  const series = markdown([
    ["series", "fold", ...NAMES.map((n) => `${LABELS[n]} F1 counting`), ...NAMES.map((n) => `${LABELS[n]} F1 episodes`)],
    ...cv.series.map((r) => [
      r.series.replace(/\.csv$/, ""),
      String(r.fold),
      ...NAMES.map((n) => fixed(r[n].counting.f1)),
      ...NAMES.map((n) => fixed(r[n].episodes.f1)),
    ]),
  ]);
  const summary = markdown([
    ["over the labelled series", ...NAMES.map((n) => LABELS[n])],
    ["mean F1, counting rule", ...NAMES.map((n) => fixed(cv.summary[n].counting.meanF1))],
    ["mean F1, window recall / episode precision", ...NAMES.map((n) => fixed(cv.summary[n].episodes.meanF1))],
    [
      "F1 >= z-score's, counting rule",
      ...NAMES.map((n) => `${cv.summary[n].counting.atLeastZScore} / ${cv.summary.labelledSeries}`),
    ],
    [
      "F1 >= z-score's, window recall / episode precision",
      ...NAMES.map((n) => `${cv.summary[n].episodes.atLeastZScore} / ${cv.summary.labelledSeries}`),
    ],
    ["F1 of summed counts, counting rule", ...NAMES.map((n) => fixed(cv.summary[n].counting.summed.f1))],
    ["F1 of summed counts, window recall / episode precision", ...NAMES.map((n) => fixed(cv.summary[n].episodes.summed.f1))],
  ]);
  return `${folds}\n\n${series}\n\n${summary}\n`;
}
