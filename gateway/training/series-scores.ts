import { HISTORY, WINDOW, writeFeatures } from "../src/inference/window-features.js";

/** The window features of every scorable position of a series (from index HISTORY - 1 on), one window after the other. */
export function seriesFeatures(values: Float64Array, from = HISTORY - 1, to = values.length): Float32Array {
  const count = Math.max(0, to - from);
  const features = new Float32Array(count * WINDOW);
  for (let k = 0; k < count; k++) writeFeatures(values, from + k + 1, features, k * WINDOW);
  return features;
}

/** A window model's scores aligned with the series: NaN before a full history, then one per value. */
export async function modelScores(
  values: Float64Array,
  score: (features: Float32Array, count: number) => Promise<ArrayLike<number>>,
): Promise<Float64Array> {
  const from = HISTORY - 1;
  const scores = new Float64Array(values.length).fill(Number.NaN);
  if (values.length <= from) return scores;
  const out = await score(seriesFeatures(values, from), values.length - from);
  for (let k = 0; k < values.length - from; k++) scores[from + k] = out[k] ?? Number.NaN;
  return scores;
}
