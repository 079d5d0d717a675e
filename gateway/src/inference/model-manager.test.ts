import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { InferenceError } from "./inference-errors.js";
import { DEFAULT_MODEL, readModelFolder } from "./model-folder.js";
import { ModelManager } from "./model-manager.js";
import { ModelSession } from "./model-session.js";
import { addVersion, temporaryModelsDir } from "../../test/inference-testbed.js";
import { WINDOW } from "./window-features.js";

const logger = pino({ level: "silent" });

describe("model folders", () => {
  it("refuse a model file that does not match its manifest's hash", () => {
    const dir = temporaryModelsDir();
    const folder = addVersion(dir, 2);
    writeFileSync(join(folder, "model.onnx"), Buffer.from("not the model"));
    expect(() => readModelFolder(dir, DEFAULT_MODEL, 2)).toThrow(/does not match its manifest's hash/);
  });

  it("refuse a manifest for other features than the gateway computes", () => {
    const dir = temporaryModelsDir();
    addVersion(dir, 2, undefined, (m) => ({ ...m, features: { ...m.features, context: 64 } }));
    expect(() => readModelFolder(dir, DEFAULT_MODEL, 2)).toThrow(InferenceError);
  });

  it("refuse a model whose tensors are not the manifest's", async () => {
    const dir = temporaryModelsDir();
    addVersion(dir, 2, undefined, (m) => ({ ...m, output: { ...m.output, name: "anomaly" } }));
    await expect(ModelSession.open(readModelFolder(dir, DEFAULT_MODEL, 2))).rejects.toThrow(/tensors do not match/);
  });
});

describe("ModelManager", () => {
  it("loads the highest version, swaps to a newer one dropped in, and skips one that fails", async () => {
    const dir = temporaryModelsDir();
    const swaps: string[] = [];
    const manager = new ModelManager({ modelsDir: dir, name: DEFAULT_MODEL, logger, onSwap: (m) => swaps.push(m.version) });
    expect((await manager.start()).version).toBe(`${DEFAULT_MODEL}@1`);
    expect(await manager.checkForNewVersion()).toBe(false);

    addVersion(dir, 2);
    expect(await manager.checkForNewVersion()).toBe(true);
    expect(manager.current?.version).toBe(`${DEFAULT_MODEL}@2`);
    // The identity model scores a window by its last feature.
    const window = new Float32Array(WINDOW).map((_, i) => i / 10);
    expect(Array.from(await manager.withModel((m) => m.score(window, 1)))[0]).toBeCloseTo(3.1, 5);

    const broken = addVersion(dir, 3);
    writeFileSync(join(broken, "model.onnx"), Buffer.from("truncated"));
    expect(await manager.checkForNewVersion()).toBe(false);
    expect(await manager.checkForNewVersion()).toBe(false);
    expect(manager.current?.version).toBe(`${DEFAULT_MODEL}@2`);
    expect(swaps).toEqual([`${DEFAULT_MODEL}@1`, `${DEFAULT_MODEL}@2`]);
    await manager.stop();
  });

  it("lets a batch in progress finish on the model it started with", async () => {
    const dir = temporaryModelsDir();
    const manager = new ModelManager({ modelsDir: dir, name: DEFAULT_MODEL, logger });
    await manager.start();
    addVersion(dir, 2);
    const window = new Float32Array(WINDOW).fill(1);
    const used = await manager.withModel(async (model) => {
      await manager.swapTo(2);
      // The replaced model is still loaded and scores.
      const scores = await model.score(window, 1);
      return { version: model.version, finite: Number.isFinite(scores[0]) };
    });
    expect(used).toEqual({ version: `${DEFAULT_MODEL}@1`, finite: true });
    expect(manager.current?.version).toBe(`${DEFAULT_MODEL}@2`);
    await manager.stop();
  });

  it("says so when the folder holds no version", async () => {
    const manager = new ModelManager({ modelsDir: join(temporaryModelsDir(), "elsewhere"), name: DEFAULT_MODEL, logger });
    await expect(manager.start()).rejects.toThrow(/no version of the model/);
  });
});
