import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll } from "vitest";
import { parseGatewayConfig, type GatewayConfig } from "../src/config.js";
import { startGateway, type Gateway } from "../src/gateway.js";
import { DEFAULT_MODEL, SHIPPED_MODELS_DIR } from "../src/inference/model-folder.js";
import type { ModelManifest } from "../src/inference/model-manifest.js";

/** The identity model of the benchmarks: its score of a window is the window's last feature. */
export const IDENTITY_MODEL_DIR = join(import.meta.dirname, "../bench/models/identity/1");

/** A models folder in a temporary directory holding version 1 of the shipped model. */
export function temporaryModelsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "models-"));
  cpSync(join(SHIPPED_MODELS_DIR, DEFAULT_MODEL, "1"), join(dir, DEFAULT_MODEL, "1"), { recursive: true });
  return dir;
}

/**
 * Writes `version` of the default model into `modelsDir` from another model's folder (the
 * identity model by default), with its manifest renamed and `change` applied to it.
 */
export function addVersion(
  modelsDir: string,
  version: number,
  from = IDENTITY_MODEL_DIR,
  change: (m: ModelManifest) => ModelManifest = (m) => m,
): string {
  const folder = join(modelsDir, DEFAULT_MODEL, String(version));
  mkdirSync(folder, { recursive: true });
  const bytes = readFileSync(join(from, "model.onnx"));
  const manifest = JSON.parse(readFileSync(join(from, "manifest.json"), "utf8")) as ModelManifest;
  // The model file goes in before its manifest, as an operator copying a folder in would do.
  writeFileSync(join(folder, "model.onnx"), bytes);
  const renamed = { ...manifest, name: DEFAULT_MODEL, version, sha256: createHash("sha256").update(bytes).digest("hex") };
  writeFileSync(join(folder, "manifest.json"), JSON.stringify(change(renamed)));
  return folder;
}

/**
 * A gateway configuration for inference tests: its data in `dataDir`, free ports, no
 * proving, and devices never held back by admission, with `inference` and `batching` as given.
 */
export function inferenceTestConfig(
  dataDir: string,
  inference: Record<string, unknown>,
  batching: Record<string, unknown> = {},
): GatewayConfig {
  return parseGatewayConfig({
    dataDir,
    mqtt: { port: 0 },
    http: { port: 0 },
    proving: { enabled: false },
    ingest: { admission: { framesPerSecond: 100_000, burst: 100_000 } },
    batching,
    inference,
  });
}

/**
 * The folders of the inference tests in the enclosing `describe`, removed after the last of them:
 * a gateway's data folder (named after `name`), and a models folder holding version 1 of the
 * shipped model, or none when `models` is "empty". `start` starts a gateway on them.
 */
export function inferenceTestbed(name: string, models: "shipped" | "empty") {
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const modelsDir = models === "shipped" ? temporaryModelsDir() : mkdtempSync(join(tmpdir(), "models-empty-"));
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(modelsDir, { recursive: true, force: true });
  });
  return {
    dataDir,
    modelsDir,
    /** A gateway on these folders with `inference` and `batching` as `inferenceTestConfig` takes them, logging nothing. */
    start: (inference: Record<string, unknown>, batching: Record<string, unknown> = {}): Promise<Gateway> =>
      startGateway(inferenceTestConfig(dataDir, { modelsDir, ...inference }, batching), pino({ level: "silent" })),
  };
}
