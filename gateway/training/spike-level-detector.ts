import { createHash } from "node:crypto";
import type { ModelManifest } from "../src/inference/model-manifest.js";
import { SPIKE_LEVEL_WIDTH } from "../src/inference/spike-level-features.js";
import { detectorSpec, ensembleWeights, type Selected } from "./detector-selection.js";
import { FEATURES_INPUT_NAME, OUTPUT_NAME, weightedMaxOnnx } from "./model-graphs.js";

export const MODEL_NAME = "spike-level-detector";

/** The ONNX file of a selected detector: the larger of the spike score and the weighted level score. */
export function detectorOnnx(selected: Selected): Uint8Array {
  return weightedMaxOnnx(
    ensembleWeights(selected.candidate),
    { features: "spike,level" },
    "The larger of the spike score (rolling z-score) and the weighted level-shift score of a reading.",
  );
}

/** The model's files: model.onnx and its manifest, with the features and the calibration the gateway follows. */
export function buildDetector(selected: Selected, version: number): { onnx: Uint8Array; manifest: ModelManifest } {
  const onnx = detectorOnnx(selected);
  const spec = detectorSpec(selected);
  const { candidate } = selected;
  const manifest: ModelManifest = {
    name: MODEL_NAME,
    version,
    sha256: createHash("sha256").update(onnx).digest("hex"),
    description: `Anomaly score of a reading: the larger of how many standard deviations it lies from the mean of the ${spec.features.spikeWindow} values before it, and ${candidate.levelWeight} × how far the mean of its last ${candidate.levelBlock} values lies from the median of the last ${candidate.levelBlocks} such block means, in their robust standard deviations. Each channel learns its own threshold from its own scores.`,
    input: { name: FEATURES_INPUT_NAME, shape: ["batch", SPIKE_LEVEL_WIDTH] },
    output: { name: OUTPUT_NAME, shape: ["batch"] },
    features: spec.features,
    threshold: spec.threshold,
    ...(spec.calibration ? { calibration: spec.calibration } : {}),
    training: {
      script: "gateway/training/train-spike-level-detector-cli.ts",
      data: "gateway/training/data/nab (Numenta Anomaly Benchmark, see NOTICE.md): all 52 series",
      selection: "the candidate of detector-selection.ts with the best mean F1 (both rules averaged) over the 46 labelled series",
      levelWeight: candidate.levelWeight,
      clamp: candidate.clamp,
      objective: selected.objective,
      crossValidation: "metrics.json: the same selection made on three folds and judged on the fourth, for each fold",
    },
  };
  return { onnx, manifest };
}
