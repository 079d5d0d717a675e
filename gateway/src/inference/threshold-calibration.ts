import { z } from "zod";

/**
 * How a channel learns its own threshold from its own scores (manifest.json's
 * `calibration`). Until a channel has `warmUp` scores its threshold is the model's global
 * fallback (the manifest's `threshold`); from then on it is the rule applied to the scores
 * seen so far, clamped to [min, max], and recomputed every `refreshEvery` scores:
 * - `quantile`: multiplier × that quantile of the scores (not the maximum, so one spike
 *   does not silence a channel);
 * - `mad`: median + deviations × 1.4826 × median absolute deviation of the scores (robust,
 *   and steady after few scores).
 * The scores are kept in a log-spaced histogram; when it holds `memory` scores its counts
 * are halved, so a channel keeps adapting to what it does now.
 */
export const calibrationSchema = z
  .object({
    rule: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("quantile"), quantile: z.number().gt(0).lt(1), multiplier: z.number().positive() }),
      z.object({ kind: z.literal("mad"), deviations: z.number().positive() }),
    ]),
    warmUp: z.number().int().min(1),
    refreshEvery: z.number().int().min(1),
    memory: z.number().int().min(2),
    min: z.number().positive(),
    max: z.number().positive(),
  })
  .refine((c) => c.min <= c.max, { message: "min must not exceed max", path: ["min"] });

export type Calibration = z.infer<typeof calibrationSchema>;
export type CalibrationRule = Calibration["rule"];

/** Scores from 10^LOWEST_DECADE to 10^(LOWEST_DECADE + DECADES), BINS_PER_DECADE bins a decade. */
const LOWEST_DECADE = -3;
const DECADES = 9;
const BINS_PER_DECADE = 40;
const BINS = DECADES * BINS_PER_DECADE;
const LOWEST = 10 ** LOWEST_DECADE;
const HIGHEST = 10 ** (LOWEST_DECADE + DECADES);
const MAD_TO_DEVIATION = 1.4826;

/** Lower edge of histogram bin k (1..BINS + 1); bin 0 holds [0, LOWEST), bin BINS + 1 holds [HIGHEST, ∞). */
const EDGES = Float64Array.from({ length: BINS + 2 }, (_, k) => 10 ** (LOWEST_DECADE + (k - 1) / BINS_PER_DECADE));
const edge = (k: number) => EDGES[k] ?? HIGHEST;
const binOf = (score: number) =>
  score < LOWEST ? 0 : score >= HIGHEST ? BINS + 1 : Math.floor((Math.log10(score) - LOWEST_DECADE) * BINS_PER_DECADE) + 1;

/** A log-spaced histogram of non-negative scores, with its quantiles and CDF interpolated within bins. */
export class ScoreHistogram {
  private readonly counts = new Float64Array(BINS + 2);
  private readonly cumulative = new Float64Array(BINS + 3);
  total = 0;

  add(score: number): void {
    const k = binOf(score);
    this.counts[k] = (this.counts[k] ?? 0) + 1;
    this.total++;
  }

  halve(): void {
    for (let k = 0; k < this.counts.length; k++) this.counts[k] = (this.counts[k] ?? 0) / 2;
    this.total /= 2;
  }

  /** Brings the cumulative counts up to date; call before quantile and cdf. */
  summarise(): void {
    for (let k = 0; k < this.counts.length; k++) this.cumulative[k + 1] = (this.cumulative[k] ?? 0) + (this.counts[k] ?? 0);
  }

  /** The score below which a fraction `p` of the scores lie. */
  quantile(p: number): number {
    const target = p * this.total;
    let k = 0;
    while (k < BINS + 1 && (this.cumulative[k + 1] ?? 0) < target) k++;
    if (k === BINS + 1) return HIGHEST;
    const count = this.counts[k] ?? 0;
    const within = count > 0 ? (target - (this.cumulative[k] ?? 0)) / count : 0;
    return k === 0 ? LOWEST * within : edge(k) * 10 ** (within / BINS_PER_DECADE);
  }

  /** How many scores lie below `score`. */
  cdf(score: number): number {
    if (score <= 0) return 0;
    if (score >= HIGHEST) return this.cumulative[BINS + 1] ?? 0;
    const k = binOf(score);
    const within = k === 0 ? score / LOWEST : Math.log10(score / edge(k)) * BINS_PER_DECADE;
    return (this.cumulative[k] ?? 0) + (this.counts[k] ?? 0) * Math.min(1, Math.max(0, within));
  }

  /** The median absolute deviation around `centre`: half the scores lie within it. */
  medianAbsoluteDeviation(centre: number): number {
    let low = 0;
    let high = Math.max(centre, this.quantile(1) - centre);
    for (let i = 0; i < 40; i++) {
      const mid = (low + high) / 2;
      if (this.cdf(centre + mid) - this.cdf(centre - mid) >= this.total / 2) high = mid;
      else low = mid;
    }
    return high;
  }
}

/** The threshold a rule gives for the scores in a summarised histogram, before clamping. */
export function ruleThreshold(rule: CalibrationRule, histogram: ScoreHistogram): number {
  if (rule.kind === "quantile") return rule.multiplier * histogram.quantile(rule.quantile);
  const centre = histogram.quantile(0.5);
  return centre + rule.deviations * MAD_TO_DEVIATION * histogram.medianAbsoluteDeviation(centre);
}

/** One channel's threshold: the fallback while it warms up, then learned from its own scores. */
export class StreamThreshold {
  private readonly calibration: Calibration | undefined;
  private readonly histogram = new ScoreHistogram();
  private seen = 0;
  private threshold: number;

  /** Without a calibration the threshold stays the fallback. */
  constructor(fallback: number, calibration?: Calibration) {
    this.threshold = fallback;
    this.calibration = calibration;
  }

  /** The threshold the next score is compared with. */
  get current(): number {
    return this.threshold;
  }

  /** Learns from a score, after it was compared with `current`. */
  observe(score: number): void {
    const calibration = this.calibration;
    if (!calibration || !Number.isFinite(score)) return;
    this.histogram.add(Math.max(0, score));
    this.seen++;
    if (this.histogram.total >= calibration.memory) this.histogram.halve();
    if (this.seen < calibration.warmUp || (this.seen - calibration.warmUp) % calibration.refreshEvery !== 0) return;
    this.histogram.summarise();
    this.threshold = Math.min(calibration.max, Math.max(calibration.min, ruleThreshold(calibration.rule, this.histogram)));
  }
}
