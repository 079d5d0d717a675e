import { InferenceError } from "./inference-errors.js";
import type { OnnxWeights } from "./onnx-weights.js";

/**
 * The spike-level detector's network: the score of a row of features is the largest of
 * weight_i × feature_i, as ONNX Runtime computes it in float32 (Mul, ReduceMax). The
 * weights are the ONNX file's initializer `weights`.
 */
export function weightedMaxFromOnnx(weights: OnnxWeights): Float32Array {
  const tensor = weights.tensors.get("weights");
  if (!tensor || tensor.dims.length !== 1) throw new InferenceError("the model lacks its weights");
  return tensor.data;
}

/** The score of one row, exactly as float32 arithmetic gives it. */
export function weightedMaxScore(weights: ArrayLike<number>, row: ArrayLike<number>): number {
  let score = -Infinity;
  for (let i = 0; i < weights.length; i++) score = Math.max(score, Math.fround((weights[i] ?? 0) * (row[i] ?? 0)));
  return score;
}
