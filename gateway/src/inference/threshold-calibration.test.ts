import { describe, expect, it } from "vitest";
import { seededRandom } from "@intelledger/test-support";
import { calibrationSchema, ruleThreshold, ScoreHistogram, StreamThreshold, type Calibration } from "./threshold-calibration.js";

/** |z| of a standard normal (Box-Muller), like a z-score of well-behaved data. */
function absoluteNormals(count: number, seed = 1, scale = 1): number[] {
  const random = seededRandom(seed);
  return Array.from(
    { length: count },
    () => scale * Math.abs(Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())),
  );
}

function exactQuantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const QUANTILE: Calibration = {
  rule: { kind: "quantile", quantile: 0.99, multiplier: 1.5 },
  warmUp: 100,
  refreshEvery: 10,
  memory: 1_000,
  min: 2,
  max: 50,
};

function thresholdsOf(scores: readonly number[], calibration: Calibration | undefined, fallback = 10): number[] {
  const threshold = new StreamThreshold(fallback, calibration);
  return scores.map((score) => {
    const current = threshold.current;
    threshold.observe(score);
    return current;
  });
}

describe("ScoreHistogram", () => {
  const scores = absoluteNormals(20_000);
  const histogram = new ScoreHistogram();
  for (const score of scores) histogram.add(score);
  histogram.summarise();

  it("gives quantiles within one bin (6%) of the exact ones", () => {
    for (const p of [0.1, 0.5, 0.9, 0.99, 0.999]) {
      const exact = exactQuantile(scores, p);
      expect(Math.abs(histogram.quantile(p) / exact - 1)).toBeLessThan(0.06);
    }
  });

  it("gives the median absolute deviation within 6% of the exact one", () => {
    const centre = exactQuantile(scores, 0.5);
    const exact = exactQuantile(
      scores.map((s) => Math.abs(s - centre)),
      0.5,
    );
    expect(Math.abs(histogram.medianAbsoluteDeviation(histogram.quantile(0.5)) / exact - 1)).toBeLessThan(0.06);
  });
});

describe("StreamThreshold", () => {
  it("holds the fallback until the warm-up is over, then follows the rule", () => {
    const scores = absoluteNormals(2_000);
    const thresholds = thresholdsOf(scores, QUANTILE);
    expect(thresholds.slice(0, QUANTILE.warmUp).every((t) => t === 10)).toBe(true);
    const histogram = new ScoreHistogram();
    for (const score of scores.slice(0, 1_000)) histogram.add(score);
    histogram.summarise();
    // After 1,000 scores (a refresh point) the threshold is the rule on what was seen.
    expect(thresholds[1_000]).toBeCloseTo(ruleThreshold(QUANTILE.rule, histogram), 12);
    expect(thresholds[1_000]).toBeCloseTo(1.5 * exactQuantile(scores.slice(0, 1_000), 0.99), 0);
  });

  it("is not silenced by a spike while it warms up", () => {
    const scores = absoluteNormals(1_000, 2);
    const spiked = [...scores];
    spiked[50] = 1_000;
    const calm = thresholdsOf(scores, QUANTILE).at(-1) ?? NaN;
    const afterSpike = thresholdsOf(spiked, QUANTILE).at(-1) ?? NaN;
    expect(Math.abs(afterSpike / calm - 1)).toBeLessThan(0.1);
    expect(afterSpike).toBeLessThan(10);
  });

  it("does not flood on a flat channel: a threshold never drops below min", () => {
    const thresholds = thresholdsOf(new Array<number>(500).fill(0), QUANTILE);
    expect(thresholds.at(-1)).toBe(QUANTILE.min);
    const mad = thresholdsOf(new Array<number>(500).fill(0.001), { ...QUANTILE, rule: { kind: "mad", deviations: 10 } });
    expect(mad.at(-1)).toBe(QUANTILE.min);
  });

  it("never rises above max", () => {
    expect(thresholdsOf(absoluteNormals(500, 3, 1_000), QUANTILE).at(-1)).toBe(QUANTILE.max);
  });

  it("learns from few scores with the median-absolute-deviation rule", () => {
    const calibration: Calibration = {
      ...QUANTILE,
      rule: { kind: "mad", deviations: 8 },
      warmUp: 20,
      refreshEvery: 1,
      min: 0.01,
    };
    const scores = absoluteNormals(40, 4);
    scores[5] = 500;
    const threshold = thresholdsOf(scores, calibration).at(-1) ?? NaN;
    // |z| of a normal: median 0.67, MAD 0.40; 0.67 + 8 × 1.4826 × 0.40 ≈ 5.4.
    expect(threshold).toBeGreaterThan(3);
    expect(threshold).toBeLessThan(9);
  });

  it("adapts when a channel's scores change scale for good", () => {
    const before = absoluteNormals(3_000, 5);
    const after = absoluteNormals(6_000, 6, 4);
    const thresholds = thresholdsOf([...before, ...after], QUANTILE);
    const settled = thresholds[2_999] ?? NaN;
    expect((thresholds.at(-1) ?? NaN) / settled).toBeGreaterThan(3);
  });

  it("stays at the fallback without a calibration", () => {
    expect(thresholdsOf(absoluteNormals(500), undefined, 7).every((t) => t === 7)).toBe(true);
  });
});

describe("the calibration schema", () => {
  it("names what is wrong", () => {
    const min = calibrationSchema.safeParse({ ...QUANTILE, min: 60 });
    expect(min.success).toBe(false);
    expect(min.error?.issues[0]?.path).toEqual(["min"]);
    const quantile = calibrationSchema.safeParse({ ...QUANTILE, rule: { kind: "quantile", quantile: 1, multiplier: 1 } });
    expect(quantile.error?.issues[0]?.path).toEqual(["rule", "quantile"]);
  });
});
