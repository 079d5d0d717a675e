import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayConfig, type GatewayConfig } from "../config.js";
import { DEFAULT_MODEL, SHIPPED_MODELS_DIR } from "./model-folder.js";
import type { ModelManifest } from "./model-manifest.js";

/** The identity model of the benchmarks: its score of a window is the window's last feature. */
export const IDENTITY_MODEL_DIR = join(import.meta.dirname, "../../bench/models/identity/1");

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
