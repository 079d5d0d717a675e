import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readModelFolder, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import { WINDOW } from "../src/inference/window-features.js";
import { identityOnnx } from "./model-graphs.js";
import { loadNab } from "./nab-data.js";
import { buildWindowForecaster, MODEL_NAME, type ForecasterSeriesResult } from "./window-forecaster.js";

describe("the window forecaster, kept as a baseline", () => {
  it("is what its training script makes, byte for byte, with the committed metrics", async () => {
    const files = readModelFolder(SHIPPED_MODELS_DIR, MODEL_NAME, 1);
    const committed = JSON.parse(readFileSync(join(files.folder, "metrics.json"), "utf8")) as ForecasterSeriesResult[];
    const rebuilt = await buildWindowForecaster(loadNab(), 1);
    expect(Buffer.from(rebuilt.onnx).equals(Buffer.from(files.bytes))).toBe(true);
    expect(rebuilt.manifest).toEqual(files.manifest);
    expect(rebuilt.metrics).toEqual(committed);
    expect(committed).toHaveLength(52);
  }, 120_000);
});

describe("the benchmark's identity model", () => {
  it("is what make-identity-model-cli.ts writes", () => {
    const committed = readFileSync(join(import.meta.dirname, "../bench/models/identity/1/model.onnx"));
    expect(Buffer.from(identityOnnx(WINDOW)).equals(committed)).toBe(true);
  });
});
