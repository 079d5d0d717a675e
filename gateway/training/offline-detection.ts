import { ChannelDetectors, type Decision, type DetectorSpec, type ScoreRows } from "../src/inference/channel-detectors.js";

/** Readings per model call offline, as the gateway's default batch. */
export const OFFLINE_BATCH = 256;

/**
 * A series' decisions as the gateway makes them: the series is one device channel, fed to
 * the gateway's ChannelDetectors in batches, scored by `score` (the model through ONNX Runtime).
 */
export async function detectSeries(
  values: ArrayLike<number>,
  spec: DetectorSpec,
  score: ScoreRows,
  batch = OFFLINE_BATCH,
): Promise<Decision[]> {
  const detectors = new ChannelDetectors(spec);
  const decisions: Decision[] = [];
  for (let start = 0; start < values.length; start += batch) {
    const chunk = Array.from({ length: Math.min(batch, values.length - start) }, (_, i) => ({
      channel: "series",
      value: values[start + i] ?? 0,
    }));
    decisions.push(...(await detectors.decide(chunk, score)));
  }
  return decisions;
}
