import { describe, expect, it } from "vitest";
import { seededRandom } from "@intelledger/test-support";
import { SPIKE_LEVEL_WIDTH, SpikeLevelFeatures, type SpikeLevelSpec } from "./spike-level-features.js";

const SPEC: SpikeLevelSpec = { kind: "spike-level", spikeWindow: 288, levelBlock: 16, levelBlocks: 64, minLevelBlocks: 8 };

function noise(count: number, seed = 1): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => 50 + (random() + random() + random() - 1.5));
}

/** The features of every value, NaN while not ready. */
function featuresOf(values: readonly number[], spec = SPEC): { spike: number[]; level: number[] } {
  const stream = new SpikeLevelFeatures(spec);
  const row = new Float32Array(SPIKE_LEVEL_WIDTH);
  const spike: number[] = [];
  const level: number[] = [];
  for (const value of values) {
    stream.push(value);
    if (stream.ready) stream.write(row, 0);
    spike.push(stream.ready ? (row[0] ?? NaN) : NaN);
    level.push(stream.ready ? (row[1] ?? NaN) : NaN);
  }
  return { spike, level };
}

describe("SpikeLevelFeatures", () => {
  it("gives the rolling z-score of each value against the spikeWindow values before it, from the first full window on", () => {
    const values = noise(1_000);
    const { spike } = featuresOf(values);
    expect(spike.slice(0, SPEC.spikeWindow).every(Number.isNaN)).toBe(true);
    for (let i = SPEC.spikeWindow; i < values.length; i++) {
      const before = values.slice(i - SPEC.spikeWindow, i);
      const mean = before.reduce((a, b) => a + b, 0) / before.length;
      const deviation = Math.sqrt(before.reduce((a, b) => a + (b - mean) ** 2, 0) / before.length);
      const expected = Math.abs((values[i] ?? 0) - mean) / deviation;
      expect(Math.abs((spike[i] ?? NaN) - expected)).toBeLessThanOrEqual(1e-6 * expected + 1e-9);
    }
  });

  it("keeps seeing a level shift long after the spike window has taken it in", () => {
    const values = [...noise(3_000), ...noise(1_500, 2).map((v) => v + 3)];
    const { spike, level } = featuresOf(values);
    // 300 readings after the shift, the spike window holds only shifted values: nothing stands
    // out to it; the level's memory (16 × 64 = 1,024 readings) still holds the old level.
    expect(Math.max(...spike.slice(3_300, 3_400))).toBeLessThan(4);
    expect(Math.min(...level.slice(3_300, 3_400))).toBeGreaterThan(6);
    // Before the shift, neither does.
    expect(Math.max(...level.slice(1_500, 3_000))).toBeLessThan(6);
  });

  it("sees a slow drift that the spike score never does, while it builds over less than half its memory", () => {
    // A rise of 4 over 400 readings: 0.01 a reading, lost in noise of deviation 0.5. The
    // level remembers 16 × 64 = 1,024 readings.
    const values = [...noise(2_000), ...noise(400, 3).map((v, i) => v + (4 * i) / 400)];
    const { spike, level } = featuresOf(values);
    expect(Math.max(...spike.slice(2_000))).toBeLessThan(5);
    expect(level.at(-1)).toBeGreaterThan(10);
  });

  it("barely moves the level for a single spike", () => {
    const values = noise(3_000);
    values[2_500] = 500;
    const { spike, level } = featuresOf(values);
    expect(spike[2_500]).toBeGreaterThan(100);
    expect(Math.max(...level.slice(2_520, 3_000))).toBeLessThan(4);
  });

  it("leaves the level at 0 until minLevelBlocks blocks are complete", () => {
    const spec = { ...SPEC, spikeWindow: 20, levelBlock: 10, minLevelBlocks: 8 };
    const { level } = featuresOf(noise(200), spec);
    expect(level.slice(20, 79).every((l) => l === 0)).toBe(true);
    expect(level.slice(79).some((l) => l > 0)).toBe(true);
  });
});
