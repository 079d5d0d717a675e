import { describe, expect, it } from "vitest";
import { loadNab } from "../../training/nab-data.js";
import { ChannelDetectors, type ChannelValue, type Decision, type DetectorSpec, type ScoreRows } from "./channel-detectors.js";
import { SPIKE_LEVEL_WIDTH } from "./spike-level-features.js";
import { weightedMaxScore } from "./weighted-max-model.js";

const SPEC: DetectorSpec = {
  features: { kind: "spike-level", spikeWindow: 288, levelBlock: 16, levelBlocks: 64, minLevelBlocks: 8 },
  threshold: 20,
  calibration: {
    rule: { kind: "quantile", quantile: 0.99, multiplier: 1.5 },
    warmUp: 64,
    refreshEvery: 32,
    memory: 8_192,
    min: 5,
    max: 80,
  },
};
const WEIGHTS = Float32Array.from([1, 2]);
/** The weighted-max network computed in TypeScript, as ONNX Runtime does. */
const reference: ScoreRows = (features, count) =>
  Promise.resolve(
    Float32Array.from({ length: count }, (_, n) =>
      weightedMaxScore(WEIGHTS, features.subarray(n * SPIKE_LEVEL_WIDTH, (n + 1) * SPIKE_LEVEL_WIDTH)),
    ),
  );

const nab = loadNab();
const series = (name: string) => Array.from(nab.find((s) => s.name.includes(name))?.values ?? []);
const machine = series("machine_temperature").slice(0, 6_000);
const tweets = series("Twitter_volume_AAPL").slice(0, 4_000);

async function decideInBatches(
  detectors: ChannelDetectors,
  readings: readonly ChannelValue[],
  batch: number,
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (let start = 0; start < readings.length; start += batch)
    decisions.push(...(await detectors.decide(readings.slice(start, start + batch), reference)));
  return decisions;
}

describe("ChannelDetectors", () => {
  it("decides each channel alike however its readings are batched and interleaved with other channels", async () => {
    const alone = await decideInBatches(
      new ChannelDetectors(SPEC),
      machine.map((value) => ({ channel: "machine", value })),
      256,
    );
    expect(alone.slice(0, 288).every((d) => d.score === undefined && !d.anomalous)).toBe(true);
    expect(alone.filter((d) => d.anomalous).length).toBeGreaterThan(0);
    // The thresholds moved: the channel learned its own.
    expect(new Set(alone.map((d) => d.threshold)).size).toBeGreaterThan(10);

    const interleaved = machine.flatMap((value, i) => [
      { channel: "machine", value },
      ...(i < tweets.length ? [{ channel: "tweets", value: tweets[i] ?? 0 }] : []),
    ]);
    for (const batch of [1, 7, 1_000]) {
      const decisions = await decideInBatches(new ChannelDetectors(SPEC), interleaved, batch);
      expect(decisions.filter((_, i) => interleaved[i]?.channel === "machine")).toEqual(alone);
    }
  });

  it("compares a score with a configured threshold instead of its channel's, and the channel still learns", async () => {
    const readings = machine.map((value) => ({ channel: "machine", value }));
    const plain = await decideInBatches(new ChannelDetectors(SPEC), readings, 256);
    const overridden = new ChannelDetectors(SPEC);
    const first = await overridden.decide(readings.slice(0, 3_000), reference, () => 0.5);
    const scored = first.filter((d) => d.score !== undefined);
    expect(scored.every((d) => d.threshold === 0.5 && d.anomalous === (d.score ?? 0) > 0.5)).toBe(true);
    // Back on its own threshold, the channel decides as if it had never been overridden.
    const rest = await decideInBatches(overridden, readings.slice(3_000), 256);
    expect(rest).toEqual(plain.slice(3_000));
  });
});
