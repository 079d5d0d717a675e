import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelManifest } from "../src/inference/model-manifest.js";
import { CONTEXT, FEATURE_CLIP, WINDOW } from "../src/inference/window-features.js";
import { writeJsonFile } from "./json-file.js";
import { INPUT_NAME, OUTPUT_NAME, identityOnnx } from "./model-graphs.js";

/**
 * Writes the identity model (the score of a window is its last feature) that the inference
 * benchmark measures ONNX Runtime's per-call cost with: bench/models/identity/1.
 *
 *   npx tsx gateway/training/make-identity-model-cli.ts
 */
const onnx = identityOnnx(WINDOW);
const folder = join(import.meta.dirname, "../bench/models/identity/1");
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, "model.onnx"), onnx);
const manifest: ModelManifest = {
  name: "identity",
  version: 1,
  sha256: createHash("sha256").update(onnx).digest("hex"),
  description: "Benchmark baseline: the score of a window is its last feature.",
  input: { name: INPUT_NAME, shape: ["batch", WINDOW] },
  output: { name: OUTPUT_NAME, shape: ["batch"] },
  features: { kind: "window", window: WINDOW, context: CONTEXT, clip: FEATURE_CLIP },
  threshold: FEATURE_CLIP,
  training: { script: "gateway/training/make-identity-model-cli.ts" },
};
await writeJsonFile(join(folder, "manifest.json"), manifest);
console.log(`wrote ${folder}`);
