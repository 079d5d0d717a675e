import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadNab } from "../../training/nab-data.js";
import { seriesFeatures } from "../../training/series-scores.js";
import { seededRandom } from "@intelledger/test-support";
import { readModelFolder, SHIPPED_MODELS_DIR } from "./model-folder.js";
import { ModelSession } from "./model-session.js";
import { readOnnxWeights } from "./onnx-weights.js";
import { referenceScores, windowModelFromOnnx } from "./window-model.js";
import { WINDOW } from "./window-features.js";

/** ONNX Runtime computes in float32; the reference in float64 over the same weights. */
export const ABSOLUTE_TOLERANCE = 1e-5;
export const RELATIVE_TOLERANCE = 1e-5;

describe("the window forecaster (the first anomaly model, kept as a baseline)", () => {
  const files = readModelFolder(SHIPPED_MODELS_DIR, "window-forecaster", 1);
  const reference = windowModelFromOnnx(readOnnxWeights(files.bytes));

  it("is read back from its ONNX file as the network the training wrote", () => {
    expect(reference.objective).toBe("forecast");
    expect(reference.window).toBe(WINDOW);
    expect(reference.layers.map((l) => [l.inputs, l.outputs, l.activation])).toEqual([
      [WINDOW - 1, 16, "tanh"],
      [16, 8, "tanh"],
      [8, 1, "linear"],
    ]);
  });

  it(`scores like the reference forward pass within ${ABSOLUTE_TOLERANCE} + ${RELATIVE_TOLERANCE} × |score|, on random and real windows`, async () => {
    const random = seededRandom(7);
    const randomCount = 4_096;
    // Features are clipped to ±8; cover that whole range, and beyond the typical one.
    const randomWindows = new Float32Array(randomCount * WINDOW).map(() => (random() * 2 - 1) * 8);
    const machine = loadNab(join(import.meta.dirname, "../../training/data/nab")).find((s) =>
      s.name.includes("machine_temperature"),
    );
    const realWindows = seriesFeatures(machine?.values ?? new Float64Array(0));
    const realCount = realWindows.length / WINDOW;
    expect(realCount).toBeGreaterThan(20_000);

    const session = await ModelSession.open(files);
    try {
      let worst = 0;
      for (const [windows, count] of [
        [randomWindows, randomCount],
        [realWindows, realCount],
      ] as const) {
        const expected = referenceScores(reference, windows, count);
        const actual = await session.score(windows, count);
        for (let i = 0; i < count; i++) {
          const error = Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN));
          const allowed = ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(expected[i] ?? 0);
          worst = Math.max(worst, error / allowed);
          if (!(error <= allowed)) expect.fail(`window ${i}: onnxruntime ${actual[i]}, reference ${expected[i]}`);
        }
      }
      console.log(`worst ONNX Runtime vs reference error: ${(worst * 100).toFixed(1)}% of the tolerance`);
    } finally {
      await session.release();
    }
  });
});
