import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InferenceError } from "./inference-errors.js";
import { modelManifestSchema, type ModelManifest } from "./model-manifest.js";
import { featureWidth } from "./feature-streams.js";
import { CONTEXT, FEATURE_CLIP, WINDOW } from "./window-features.js";

/** The models that ship with the gateway: models/<name>/<version>/{model.onnx, manifest.json}. */
export const SHIPPED_MODELS_DIR = join(import.meta.dirname, "../../models");
export const DEFAULT_MODEL = "spike-level-detector";

export interface ModelFiles {
  manifest: ModelManifest;
  bytes: Uint8Array;
  folder: string;
}

/** The versions of a model in a models folder (numbered subfolders with a manifest), lowest first. */
export function listVersions(modelsDir: string, name: string): number[] {
  const dir = join(modelsDir, name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && /^[1-9][0-9]*$/.test(entry.name) && existsSync(join(dir, entry.name, "manifest.json")),
    )
    .map((entry) => Number(entry.name))
    .sort((a, b) => a - b);
}

/**
 * Reads a model's version folder and checks it against its manifest: name and version match
 * the folder, the file's SHA-256 is the declared one, and the features are ones the gateway
 * computes, as wide as the model's input.
 */
export function readModelFolder(modelsDir: string, name: string, version: number): ModelFiles {
  const folder = join(modelsDir, name, String(version));
  let manifest: ModelManifest;
  try {
    manifest = modelManifestSchema.parse(JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")));
  } catch (error) {
    throw new InferenceError("the model's manifest is missing or invalid", { folder }, { cause: error });
  }
  if (manifest.name !== name || manifest.version !== version) {
    throw new InferenceError("the manifest names another model or version than its folder", {
      folder,
      name: manifest.name,
      version: manifest.version,
    });
  }
  const bytes = new Uint8Array(readFileSync(join(folder, "model.onnx")));
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== manifest.sha256) throw new InferenceError("model.onnx does not match its manifest's hash", { folder, sha256 });
  const { features } = manifest;
  const computed =
    features.kind === "spike-level" ||
    (features.window === WINDOW && features.context === CONTEXT && features.clip === FEATURE_CLIP);
  if (!computed || manifest.input.shape[1] !== featureWidth(features)) {
    throw new InferenceError("the model expects other features than the gateway computes", { folder, features });
  }
  return { manifest, bytes, folder };
}
