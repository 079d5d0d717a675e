import { InferenceError } from "./inference-errors.js";
import type { OnnxWeights } from "./onnx-weights.js";

export type Activation = "tanh" | "linear";

/** One dense layer: out = activation(weight · in + bias), weight stored [outputs, inputs] row-major. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  weight: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

/**
 * A dense network over a window of features, scoring it by the root mean squared error of
 * what it predicts, in standard deviations of the context:
 * - `forecast`: predicts the window's last feature from the others; the score is the
 *   absolute error of that prediction;
 * - `reconstruct`: an autoencoder of the whole window; the score is the root mean squared
 *   reconstruction error.
 * In the ONNX file, layer i's weights are the initializers `layer<i>.weight` and
 * `layer<i>.bias`; the metadata properties `objective` and `activations` (comma-separated,
 * one per layer) give the rest.
 */
export interface WindowModel {
  objective: "forecast" | "reconstruct";
  window: number;
  layers: DenseLayer[];
}

export function windowModelFromOnnx(weights: OnnxWeights): WindowModel {
  const objective = weights.metadata.get("objective");
  if (objective !== "forecast" && objective !== "reconstruct")
    throw new InferenceError("the model names no objective", { objective });
  const activations = (weights.metadata.get("activations") ?? "").split(",").filter((a) => a.length > 0);
  if (activations.length === 0) throw new InferenceError("the model names no layer activations");
  const layers = activations.map((activation, i): DenseLayer => {
    const weight = weights.tensors.get(`layer${i}.weight`);
    const bias = weights.tensors.get(`layer${i}.bias`);
    if (!weight || !bias || weight.dims.length !== 2) throw new InferenceError("the model lacks a layer's weights", { layer: i });
    if (activation !== "tanh" && activation !== "linear") throw new InferenceError("unknown activation", { activation });
    const [outputs = 0, inputs = 0] = weight.dims;
    if (bias.data.length !== outputs) throw new InferenceError("a layer's bias does not match its weights", { layer: i });
    return { inputs, outputs, weight: weight.data, bias: bias.data, activation };
  });
  const inputs = layers[0]?.inputs ?? 0;
  return { objective, window: objective === "forecast" ? inputs + 1 : inputs, layers };
}

/** One layer's output; the weights may be float32 (a loaded model) or float64 (in training). */
export function forwardLayer(
  layer: Omit<DenseLayer, "weight" | "bias"> & { weight: ArrayLike<number>; bias: ArrayLike<number> },
  input: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(layer.outputs);
  for (let o = 0; o < layer.outputs; o++) {
    let sum = layer.bias[o] ?? 0;
    const row = o * layer.inputs;
    for (let i = 0; i < layer.inputs; i++) sum += (layer.weight[row + i] ?? 0) * (input[i] ?? 0);
    out[o] = layer.activation === "tanh" ? Math.tanh(sum) : sum;
  }
  return out;
}

/**
 * The reference forward pass, in float64 over the float32 weights: the anomaly score of
 * each of `count` windows laid out one after the other in `features`.
 */
export function referenceScores(model: WindowModel, features: Float32Array, count: number): Float64Array {
  const { window } = model;
  const inputs = model.objective === "forecast" ? window - 1 : window;
  const scores = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    const row = features.subarray(n * window, (n + 1) * window);
    let activations: ArrayLike<number> = row.subarray(0, inputs);
    for (const layer of model.layers) activations = forwardLayer(layer, activations);
    if (model.objective === "forecast") {
      scores[n] = Math.abs((row[window - 1] ?? 0) - (activations[0] ?? 0));
    } else {
      let sum = 0;
      for (let i = 0; i < window; i++) sum += ((row[i] ?? 0) - (activations[i] ?? 0)) ** 2;
      scores[n] = Math.sqrt(sum / window);
    }
  }
  return scores;
}
